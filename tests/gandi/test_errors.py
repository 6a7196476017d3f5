"""The fault table of contract §2: each code to its error class and a message a user can act on."""

from __future__ import annotations

import pickle

import pytest

from sites_app.gandi import errors

GANDI = "http://127.0.0.1:8780/xmlrpc/"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (1, errors.PermanentError),
        (501237, errors.InvalidKeyError),
        (510150, errors.InvalidKeyError),
        (530040, errors.NoCreditError),
        (505237, errors.InvalidRequestError),
        (560042, errors.NotFoundError),
        (560737, errors.InvalidRequestError),
        (560637, errors.InvalidRequestError),
        (560837, errors.InvalidRequestError),  # any 5xxx37: bad input
        (500137, errors.InvalidRequestError),
        (560141, errors.VhostTakenError),
        (560160, errors.SiteBusyError),
        (580142, errors.OwnershipNotProvenError),
        (510242, errors.NotFoundError),
        (550060, errors.NotCancellableError),
        (150000, errors.TransientError),
        (150004, errors.RateLimitedError),
        (199999, errors.TransientError),  # any 1xxxxx: server side
        (599999, errors.PermanentError),  # any other 5xxxxx: the request is wrong
        (42, errors.PermanentError),  # unknown: never retried blindly
    ],
)
def test_each_fault_code_maps_to_its_class(code, expected):
    error = errors.error_for_fault(code, "Error on object : X (Y) [z]", method="site.list")

    assert type(error) is expected
    assert error.fault_code == code
    assert error.retryable == issubclass(expected, errors.TransientError)


def test_a_busy_site_is_retryable_although_its_code_starts_with_5():
    assert errors.error_for_fault(560160, "").retryable


def test_every_error_has_a_plain_message_without_codes():
    for code in (1, 501237, 510150, 530040, 560042, 560141, 580142, 550060, 150000, 150004):
        message = errors.error_for_fault(code, "Error on object : X (CAUSE_Y) [z]").message
        assert message.endswith(".")
        assert "OBJECT_" not in message and str(code) not in message


def test_bad_input_quotes_gandis_own_words():
    error = errors.error_for_fault(
        560737, "Error on object : OBJECT_SITE_NAME (CAUSE_BADPARAMETER) [Name is too long]"
    )

    assert error.message.endswith("Gandi said: Name is too long")
    assert error.gandi_text == "Name is too long"


def test_support_text_carries_the_raw_fault_for_support():
    error = errors.error_for_fault(
        530040, "Error on object : OBJECT_PREPAID (CAUSE_NOCREDIT) [9.99 EUR needed]",
        method="site.create", url=GANDI,
    )  # fmt: skip

    text = error.support_text()
    assert "error=NoCreditError" in text
    assert "method=site.create" in text
    assert f"endpoint={GANDI}" in text
    assert "fault_code=530040" in text
    assert "9.99 EUR needed" in text


def test_an_error_survives_pickling_with_its_detail():
    error = errors.error_for_fault(560042, "[Site 4 not found]", method="site.info", url=GANDI)

    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is errors.NotFoundError
    assert (copy.message, copy.fault_code, copy.method, copy.url) == (
        error.message, 560042, "site.info", GANDI,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "status", "mutation", "expected"),
    [
        ("lost", None, False, errors.TransientError),
        ("lost", None, True, errors.AmbiguousError),
        ("timeout", None, False, errors.TransientError),
        ("timeout", None, True, errors.AmbiguousError),
        ("http", 503, False, errors.TransientError),
        ("http", 503, True, errors.AmbiguousError),
        ("http", 429, False, errors.RateLimitedError),
        ("http", 404, True, errors.PermanentError),
        ("bad_reply", None, False, errors.BadReplyError),
        ("bad_reply", None, True, errors.AmbiguousError),
        ("unreachable", None, True, errors.UnreachableError),
        ("encode", None, True, errors.InvalidRequestError),
    ],
)
def test_transport_failures_map_by_whether_the_request_was_a_mutation(
    kind, status, mutation, expected
):
    error = errors.error_for_failure(
        kind, "detail", method="site.delete", url=GANDI, mutation=mutation, status=status
    )

    assert type(error) is expected


def test_unreachable_names_the_endpoint():
    error = errors.error_for_failure(
        "unreachable", "ConnectionRefusedError", method="site.list", url=GANDI, mutation=False
    )

    assert error.message.startswith(f"Could not reach Gandi at {GANDI}")


def test_an_unreadable_stored_key_has_a_plain_message_like_a_gandi_error():
    from sites_app.crypto import SecretUnreadable

    exc = SecretUnreadable("no configured ENCRYPTION_KEYS entry can read this secret")
    assert exc.message.endswith("an admin must enter it again.")
    assert "ENCRYPTION_KEYS" not in exc.message  # the technical detail stays in str(exc)
