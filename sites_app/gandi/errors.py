"""Typed errors for the Gandi Site API: fault codes (contract §2) to classes and plain words.

Callers branch on the class: a `PermanentError` is shown to the user and never retried as is,
a `TransientError` may be retried later, an `AmbiguousError` means "look before re-sending"
(a mutation whose reply was lost). `message` is for users; `support_text()` is the raw detail
for support. Neither ever contains the API key: the client scrubs fault strings before they
get here, and these objects never hold request parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The human part of Gandi's fault strings: "Error on object : OBJECT_X (CAUSE_Y) [text]".
_BRACKETED = re.compile(r"\[(?P<text>[^\[\]]*)\]\s*$")
# Gandi's words when credit is short: "30.00 EUR needed, 5.00 EUR available".
CREDIT_AMOUNTS = re.compile(
    r"(?P<needed>\d+(?:\.\d+)?)\s*(?P<cur>[A-Z]{3})\s+needed\D+?"
    r"(?P<available>\d+(?:\.\d+)?)\s*(?P=cur)\s+available"
)


class GandiError(Exception):
    """Something went wrong talking to Gandi; `message` says what in plain language."""

    default_message = "Gandi could not carry out the request."

    def __init__(
        self,
        message: str | None = None,
        *,
        fault_code: int | None = None,
        fault_string: str | None = None,
        method: str | None = None,
        url: str | None = None,
        detail: str | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.fault_code = fault_code
        self.fault_string = fault_string
        self.method = method
        self.url = url
        self.detail = detail  # transport detail (exception type and text), for support only
        # Only the user message goes into args: args are what pickling, Celery and most
        # error reporters copy around.
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        code = f", fault_code={self.fault_code}" if self.fault_code is not None else ""
        method = f", method={self.method!r}" if self.method else ""
        return f"{type(self).__name__}({self.message!r}{code}{method})"

    def __reduce__(self):  # keep the keyword fields when pickled (Celery, multiprocessing)
        return _rebuild, (type(self), self.message, self._fields())

    def _fields(self) -> dict:
        return {
            "fault_code": self.fault_code,
            "fault_string": self.fault_string,
            "method": self.method,
            "url": self.url,
            "detail": self.detail,
        }

    @property
    def gandi_text(self) -> str | None:
        """The human text Gandi put in brackets at the end of its fault string, if any."""
        if not self.fault_string:
            return None
        found = _BRACKETED.search(self.fault_string)
        return found.group("text").strip() if found else None

    @property
    def retryable(self) -> bool:
        return isinstance(self, TransientError)

    def support_text(self) -> str:
        """One line with everything support needs (method, endpoint, raw fault); never the key."""
        parts = [f"error={type(self).__name__}"]
        if self.method:
            parts.append(f"method={self.method}")
        if self.url:
            parts.append(f"endpoint={self.url}")
        if self.fault_code is not None:
            parts.append(f"fault_code={self.fault_code}")
        if self.fault_string:
            parts.append(f"fault_string={self.fault_string!r}")
        if self.detail:
            parts.append(f"detail={self.detail!r}")
        return " ".join(parts)


def _rebuild(cls: type[GandiError], message: str, fields: dict) -> GandiError:
    return cls(message, **fields)


class PermanentError(GandiError):
    """The request is wrong (or the endpoint is): retrying it unchanged cannot help."""


class InvalidKeyError(PermanentError):
    default_message = (
        "Gandi rejected the API key: it is unknown or has been revoked. "
        "Check the key in your Gandi account settings."
    )


class NoCreditError(PermanentError):
    default_message = (
        "The Gandi account has not enough prepaid credit to pay for this. "
        "Add credit to the prepaid account at Gandi, then try again."
    )


class NotFoundError(PermanentError):
    default_message = (
        "Gandi does not know this object, or it belongs to another account. "
        "It may have been deleted at Gandi."
    )


class InvalidRequestError(PermanentError):
    default_message = "Gandi refused the request because some of its data is not valid."


class VhostTakenError(PermanentError):
    default_message = (
        "One of the web addresses is already used by another site. "
        "Choose another address, or remove it from the other site first."
    )


class OwnershipNotProvenError(PermanentError):
    default_message = (
        "Gandi cannot see the TXT record that proves you own this domain yet. "
        "Add the record shown on the verification page to your DNS zone, wait for DNS to "
        "update, then try again."
    )


class NotCancellableError(PermanentError):
    default_message = "This operation has already started at Gandi and can no longer be cancelled."


class BadReplyError(PermanentError):
    """The endpoint answered something that is not a usable XML-RPC reply (wrong URL, hostile
    or broken server). Not retried: the same endpoint will most likely answer the same."""

    default_message = (
        "The Gandi endpoint sent a reply the portal cannot read. "
        "Check the account's endpoint URL; if it is right, Gandi may be having trouble."
    )


class TransientError(GandiError):
    """A server-side or network problem: the same request may succeed later."""

    default_message = "Gandi is having a temporary problem. Please try again in a few minutes."


class RateLimitedError(TransientError):
    default_message = (
        "Too many requests were sent to Gandi for this account in a short time. "
        "The portal will slow down; please try again in a moment."
    )


class SiteBusyError(TransientError):
    default_message = (
        "Gandi is still working on another change to this site. "
        "Wait until it is finished, then try again."
    )


class UnreachableError(TransientError):
    default_message = "Could not reach Gandi. Check the endpoint URL and the network, or try later."


class CertificateError(PermanentError):
    """The endpoint's TLS certificate was refused: nothing was sent (and so no key)."""

    default_message = (
        "The Gandi endpoint's certificate is not trusted, so nothing was sent. Check the "
        "endpoint URL (and GANDI_CA_BUNDLE for a private endpoint)."
    )


class AmbiguousError(GandiError):
    """A mutation was sent but its reply was lost: Gandi may or may not have acted.
    Never re-send blindly; look for the result first (find_operations, find_site_by_name)."""

    default_message = (
        "The connection to Gandi was lost after the request was sent, so Gandi may have "
        "carried it out. The portal checks what happened before trying again."
    )


# Specific fault codes first; then the generic rules in `error_class_for_fault`.
FAULT_CLASSES: dict[int, type[GandiError]] = {
    501237: InvalidKeyError,
    510150: InvalidKeyError,
    530040: NoCreditError,
    560042: NotFoundError,
    510242: NotFoundError,
    505237: InvalidRequestError,
    560737: InvalidRequestError,
    560637: InvalidRequestError,
    560141: VhostTakenError,
    580142: OwnershipNotProvenError,
    550060: NotCancellableError,
    560160: SiteBusyError,
    150004: RateLimitedError,
    150000: TransientError,
}

FAULT_MESSAGES: dict[int, str] = {
    1: "Gandi does not support this request (unknown method). The portal may be out of date.",
    501237: (
        "Gandi rejected the API key: a key is 24 letters and digits. "
        "Copy it again from your Gandi account settings."
    ),
    560042: "Gandi has no such site in this account. It may have been deleted at Gandi.",
    510242: "Gandi has no such operation in this account.",
}


def error_class_for_fault(code: int) -> type[GandiError]:
    """Map a six-digit fault code: 1xxxxx is server side (transient), 5xxxxx a wrong request,
    and a 5xxx37 cause is bad input (BADPARAMETER)."""
    if code in FAULT_CLASSES:
        return FAULT_CLASSES[code]
    qualification = code // 100000 if code >= 100000 else None
    if qualification == 1:
        return TransientError
    if qualification == 5 and code % 100 == 37:
        return InvalidRequestError
    return PermanentError


def error_for_fault(
    code: int, fault_string: str, *, method: str | None = None, url: str | None = None
) -> GandiError:
    """The typed error for an XML-RPC fault; the message adds Gandi's own words when useful."""
    cls = error_class_for_fault(code)
    error = cls(
        FAULT_MESSAGES.get(code), fault_code=code, fault_string=fault_string, method=method, url=url
    )
    if cls is NoCreditError and (amounts := CREDIT_AMOUNTS.search(fault_string or "")):
        # The amounts belong in the message people read, not only in the support details.
        error.message = (
            f"Not enough prepaid credit at Gandi: this needs {amounts['needed']} "
            f"{amounts['cur']} and the account has {amounts['available']} {amounts['cur']} "
            "available. Add credit to the prepaid account at Gandi, then try again."
        )
        error.args = (error.message,)
    # For bad input Gandi's bracketed text names the problem ("invalid site name"): the
    # user needs it to fix the form, so it joins the message.
    if cls in (InvalidRequestError, PermanentError) and code not in FAULT_MESSAGES:
        said = error.gandi_text
        if said:
            error.message = f"{error.message} Gandi said: {said}"
            error.args = (error.message,)
    return error


@dataclass(frozen=True)
class Failure:
    """Why one exchange failed, as plain data: holds no exception, frame or request."""

    kind: str  # "fault", "http", "unreachable", "tls", "lost", "timeout", "bad_reply", "encode"
    detail: str
    fault_code: int | None = None
    fault_string: str | None = None
    status: int | None = None


def error_for_failure(
    kind: str,
    detail: str,
    *,
    method: str,
    url: str,
    mutation: bool,
    fault_code: int | None = None,
    fault_string: str | None = None,
    status: int | None = None,
    timeout: float | None = None,
) -> GandiError:
    """The typed error for one failed exchange with Gandi.

    `kind` is what the client saw: "fault", "encode" (the request could not be built),
    "unreachable" (nothing was sent), "http" (a status other than 200), "timeout", "lost"
    (connection dropped after sending) or "bad_reply" (unreadable answer)."""
    where = {"method": method, "url": url, "detail": detail}
    if kind == "fault":
        return error_for_fault(
            fault_code if fault_code is not None else 0, fault_string or "", method=method, url=url
        )
    if kind == "encode":
        return InvalidRequestError(
            "The portal built a request Gandi cannot accept (a value cannot be encoded).", **where
        )
    if kind == "tls":
        return CertificateError(
            f"The certificate of {url} is not trusted ({detail}), so nothing was sent. Check "
            "the endpoint URL; a private endpoint's CA goes in GANDI_CA_BUNDLE.",
            **where,
        )
    if kind == "unreachable":
        return UnreachableError(
            f"Could not reach Gandi at {url}. Check the endpoint URL and the network, "
            "or try again later.",
            **where,
        )
    if kind == "http" and status is not None and status < 500:
        if status == 429:
            return RateLimitedError(**where)
        return PermanentError(
            f"The Gandi endpoint {url} answered HTTP {status}: check the account's endpoint URL.",
            **where,
        )
    # What is left happened after the request was sent: a timeout, a dropped connection, an
    # HTTP 5xx or an unreadable reply. After a mutation Gandi may have acted.
    if mutation:
        return AmbiguousError(**where)
    if kind == "bad_reply":
        return BadReplyError(**where)
    if kind == "timeout":
        wait = f" within {timeout:g} seconds" if timeout else ""
        return TransientError(
            f"Gandi at {url} did not answer{wait}. Please try again in a moment.", **where
        )
    return TransientError(**where)
