"""Host names as Gandi wants them: lower case, punycode, valid labels."""

from __future__ import annotations

import re

import idna

LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
MAX_HOSTNAME = 253


class HostnameError(ValueError):
    """A host name that cannot be a vhost; the message says why, in plain words."""


def _short(name: str, limit: int = 60) -> str:
    """A name as quoted back in a message: a pasted paragraph is not echoed whole."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _plain_ascii(name: str) -> bool:
    return name.isascii() and "xn--" not in name.lower()


def normalise_hostname(raw: str) -> str:
    """Lower-case, IDNA-encode (punycode) and validate one host name."""
    name = raw.strip().rstrip(".")
    if not name:
        raise HostnameError("Enter a host name.")
    if any(ch.isspace() for ch in name):
        raise HostnameError(f"“{_short(raw.strip())}” contains a space.")
    for label in name.split("."):
        if not label:
            raise HostnameError(f"“{_short(name)}” has an empty part (two dots in a row?).")
        if len(label) > 63:
            raise HostnameError(
                f"“{_short(name)}”: the part “{label[:20]}…” is longer than 63 characters."
            )
    try:
        # IDNA 2008 with UTS 46 mapping (as registries use: Straße stays distinct from
        # strasse); it also checks that an xn-- label really is punycode.
        ascii_name = name.lower() if _plain_ascii(name) else idna.encode(name, uts46=True).decode()
    except (idna.IDNAError, UnicodeError):
        raise HostnameError(
            f"“{_short(name)}” is not a valid host name: a part is too long once encoded, or "
            "has characters a domain cannot use."
        ) from None
    if len(ascii_name) > MAX_HOSTNAME:
        raise HostnameError(
            f"“{name[:40]}…” is too long: {len(ascii_name)} characters, at most {MAX_HOSTNAME}."
        )
    labels = ascii_name.split(".")
    if len(labels) < 2:
        raise HostnameError(f"“{name}” needs a domain, e.g. www.{name}.com.")
    for label in labels:
        if len(label) > 63:
            raise HostnameError(f"“{name}”: the part “{label[:20]}…” is longer than 63 characters.")
        if not LABEL.match(label):
            raise HostnameError(
                f"“{name}” is not a valid host name: use letters, digits and hyphens, "
                "with no hyphen at the start or end of a part."
            )
    if labels[-1].isdigit():
        raise HostnameError(f"“{name}” looks like an IP address; a vhost is a host name.")
    return ascii_name


def unicode_form(name: str) -> str:
    """What an international host name looks like to people: www.bücher.example for
    www.xn--bcher-kva.example; any other name (or one that does not decode) unchanged."""
    if "xn--" not in name:
        return name
    try:
        return idna.decode(name)
    except (idna.IDNAError, UnicodeError):
        return name


def normalise_vhost_list(lines: list[str]) -> tuple[list[str], list[str]]:
    """Normalised, de-duplicated vhosts in order, and the problems found (plain words)."""
    result: list[str] = []
    problems: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        try:
            name = normalise_hostname(line)
        except HostnameError as exc:
            problems.append(str(exc))
            continue
        if name in result:
            shown = unicode_form(name)
            problems.append(
                f"“{shown}” is listed twice."
                if shown == name
                else f"“{shown}” ({name}) is listed twice."
            )
            continue
        result.append(name)
    return result, problems


def rebase_vhost_change(
    requested: list[str], based_on: list[str] | None, current: list[str]
) -> list[str]:
    """The requested vhost list, re-applied on top of the site's vhosts as Gandi has them now.

    `requested` was made from `based_on`; changes made at Gandi since (`current`) are kept:
    a vhost added there stays (at the end), one removed there is not brought back. The
    person's own adds, removals and order win for everything they saw."""
    if based_on is None:
        return list(requested)
    seen = set(based_on)
    now = set(current)
    kept = [v for v in requested if v in now or v not in seen]
    added_elsewhere = [v for v in current if v not in seen and v not in kept]
    return kept + added_elsewhere
