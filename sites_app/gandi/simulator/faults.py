"""Gandi-style XML-RPC faults: six-digit codes and Gandi's fault-string format.

A code reads qualification (1 digit: 1 = server side, 5 = bad request), object (3 digits)
and cause (2 digits). The fault string is
``Error on object : OBJECT_<NAME> (CAUSE_<NAME>) [<human message>]``.
"""

from xmlrpc.client import Fault

OBJECTS = {
    "000": "UNKNOWN",
    "001": "PARAM",
    "012": "STRING",
    "052": "FQDN",
    "101": "ACCOUNT",
    "102": "OPERATION",
    "300": "PREPAID",
    "500": "OPERATION_STATE",
    "600": "SITE",
    "601": "VHOST",
    "606": "PACKAGE",
    "607": "SITE_NAME",
    "608": "DURATION",
    "801": "OWNERSHIP",
}
CAUSES = {
    "00": "UNKNOWN",
    "04": "RATELIMIT",
    "37": "BADPARAMETER",
    "40": "NOCREDIT",
    "41": "EXIST",
    "42": "NOTFOUND",
    "50": "NORIGHT",
    "60": "STATE",
}


class GandiFault(Fault):
    """A fault whose string follows Gandi's format, derived from the code."""

    def __init__(
        self, code: int, message: str, *, obj: str | None = None, cause: str | None = None
    ) -> None:
        digits = f"{code:06d}"
        obj = obj or OBJECTS.get(digits[1:4], "UNKNOWN")
        cause = cause or CAUSES.get(digits[4:6], "UNKNOWN")
        super().__init__(code, f"Error on object : OBJECT_{obj} (CAUSE_{cause}) [{message}]")
        self.message = message


# Named constructors keep the code table in one place.
def bad_parameter(message: str) -> GandiFault:
    """Wrong type, missing or unknown field, bad filter, wrong argument count (500137)."""
    return GandiFault(500137, message)


def bad_key(message: str = "Invalid API key format: 24 alphanumeric characters") -> GandiFault:
    return GandiFault(501237, message)


def unknown_key() -> GandiFault:
    return GandiFault(510150, "Invalid API key")


def no_credit(needed: float, available: float) -> GandiFault:
    return GandiFault(
        530040,
        f"Not enough prepaid credit: {needed:.2f} EUR needed, {available:.2f} EUR available",
    )


def bad_vhost(message: str) -> GandiFault:
    return GandiFault(505237, message)


def bad_vhost_list(message: str) -> GandiFault:
    return GandiFault(560137, message)


def site_not_found(site_id: object) -> GandiFault:
    return GandiFault(560042, f"Site {site_id} not found")


def bad_site_name(message: str) -> GandiFault:
    return GandiFault(560737, message)


def bad_package(message: str) -> GandiFault:
    return GandiFault(560637, message)


def bad_duration(message: str) -> GandiFault:
    return GandiFault(560837, message)


def vhost_taken(vhost: str) -> GandiFault:
    return GandiFault(560141, f"The vhost {vhost} is already used by another site")


def site_busy(site_id: int) -> GandiFault:
    return GandiFault(560160, f"Site {site_id} has an operation in progress")


def ownership_not_proven(vhost: str) -> GandiFault:
    return GandiFault(580142, f"You must put a TXT value in your zone to prove you own {vhost}")


def operation_not_found(op_id: object) -> GandiFault:
    return GandiFault(510242, f"Operation {op_id} not found")


def not_cancellable(op_id: int, step: str) -> GandiFault:
    return GandiFault(550060, f"Operation {op_id} is in step {step} and cannot be cancelled")


def internal_error() -> GandiFault:
    # 150000 would read as object 500 (OPERATION_STATE): name it explicitly.
    return GandiFault(150000, "Internal error, please retry later", obj="UNKNOWN")


def rate_limited() -> GandiFault:
    return GandiFault(150004, "Too many requests, please slow down", obj="UNKNOWN")


def unknown_method(name: str) -> Fault:
    # Gandi answers unknown methods with a bare code 1, not the six-digit format.
    return Fault(1, f'Method "{name}" is not supported')
