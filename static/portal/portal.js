// Copy buttons: <button data-copy="text to copy">. Works without a secure context too.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const text = button.dataset.copy;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  const label = button.textContent;
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = label; }, 1500);
});

// Forms that ask first: <form data-confirm="Leave the team?"> (was an inline onsubmit).
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});

// Progress bars: <div class="progress-bar" data-progress="37">. Set through the DOM, since the
// Content-Security-Policy forbids style attributes; again for every fragment htmx swaps in.
function showProgress(root) {
  for (const bar of root.querySelectorAll("[data-progress]")) {
    bar.style.width = `${Number(bar.dataset.progress) || 0}%`;
  }
}
showProgress(document);
document.addEventListener("htmx:load", (event) => showProgress(event.target.parentElement || document));

// Tables too wide for the screen scroll inside their .table-responsive box; such a box must be
// reachable by keyboard (arrow keys scroll it), so it gets a tab stop and a name while it scrolls.
function markScrollingTables() {
  for (const box of document.querySelectorAll(".table-responsive")) {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label")) {
        const heading = box.previousElementSibling;
        box.setAttribute("aria-label", (heading && /^H[1-6]$/.test(heading.tagName) ? heading.textContent : "Table").trim() + " (scrolls sideways)");
      }
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
    }
  }
}
document.addEventListener("DOMContentLoaded", markScrollingTables);
document.addEventListener("htmx:load", markScrollingTables);
window.addEventListener("resize", markScrollingTables);

// Dialogs that confirm a destructive action: <button data-dialog-open="id"> opens
// <dialog id="id">; its "Keep it" button is a <form method="dialog">, so closing needs no code.
document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-dialog-open]");
  if (!opener) return;
  const dialog = document.getElementById(opener.dataset.dialogOpen);
  if (dialog && typeof dialog.showModal === "function") dialog.showModal();
});
