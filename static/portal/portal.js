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

// Password fields (ASVS 2.1.12 and 2.1.8): a "Show" button beside each one, and under each new
// password a meter that says, as the person types, what the portal will accept.
function passwordVerdict(value) {
  const least = Number(document.body.dataset.passwordMinLength || 12);
  if (!value) return `At least ${least} characters.`;
  if (value.length < least) {
    const more = least - value.length;
    return `Too short: ${more} more character${more === 1 ? "" : "s"} (at least ${least}).`;
  }
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(value)).length;
  if (value.length >= least + 8 || (value.length >= least + 4 && kinds >= 3)) {
    return "Strength: strong.";
  }
  return "Strength: fair. Longer is stronger (a few unrelated words work well).";
}

function enhancePasswords(root) {
  root.querySelectorAll("input[type=password]:not([data-password-ready])").forEach((input) => {
    input.dataset.passwordReady = "1";
    const group = document.createElement("div");
    group.className = "input-group has-validation";
    input.replaceWith(group);
    const show = document.createElement("button");
    show.type = "button";
    show.className = "btn btn-outline-secondary";
    show.textContent = "Show";  // its name is what it says it will do
    if (input.id) show.setAttribute("aria-controls", input.id);
    show.addEventListener("click", () => {
      const hidden = input.type === "password";
      input.type = hidden ? "text" : "password";
      show.textContent = hidden ? "Hide" : "Show";
    });
    group.append(input, show);
    // A meter under a form's first new password, not under its repeat (the same again).
    const first = input.form && input.form.querySelector("input[autocomplete=new-password]");
    if (input.autocomplete !== "new-password" || (first && first !== input)) return;
    const meter = document.createElement("div");
    meter.className = "form-text";
    meter.id = `${input.id}_strength`;
    meter.dataset.testid = "password-strength";
    meter.setAttribute("aria-live", "polite");
    meter.textContent = passwordVerdict(input.value);
    group.after(meter);
    input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${meter.id}`.trim());
    input.addEventListener("input", () => { meter.textContent = passwordVerdict(input.value); });
  });
}
document.addEventListener("DOMContentLoaded", () => enhancePasswords(document));
document.addEventListener("htmx:load", (event) => enhancePasswords(event.target));
