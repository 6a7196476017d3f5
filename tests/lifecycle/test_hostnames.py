"""What people are told when a host name cannot be a vhost."""

import pytest

from sites_app.services.hostnames import HostnameError, normalise_hostname, unicode_form


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("a" * 70 + ".example", "the part “aaaaaaaaaaaaaaaaaaaa…” is longer than 63 characters"),
        ("www..example", "has an empty part (two dots in a row?)"),
        (".example", "has an empty part"),
        ("bad_host!.example", "use letters, digits and hyphens"),
        ("localhost", "needs a domain"),
        ("10.0.0.1", "looks like an IP address"),
    ],
)
def test_a_bad_host_name_is_explained(typed, message):
    with pytest.raises(HostnameError) as refused:
        normalise_hostname(typed)
    assert message in str(refused.value)


def test_a_pasted_paragraph_is_not_quoted_back_whole():
    with pytest.raises(HostnameError) as refused:
        normalise_hostname("x" * 300 + ".example")
    assert len(str(refused.value)) < 150


def test_international_names_go_to_punycode_and_come_back():
    assert normalise_hostname(" WWW.Bücher.Example. ") == "www.xn--bcher-kva.example"
    assert unicode_form("www.xn--bcher-kva.example") == "www.bücher.example"
    assert unicode_form("www.example.com") == "www.example.com"
    assert unicode_form("xn--broken-.example") == "xn--broken-.example"


def test_a_duplicate_is_named_as_it_was_typed_too():
    from sites_app.services.hostnames import normalise_vhost_list

    names, problems = normalise_vhost_list(["www.bücher.example", "WWW.xn--bcher-kva.example"])
    assert names == ["www.xn--bcher-kva.example"]
    assert problems == ["“www.bücher.example” (www.xn--bcher-kva.example) is listed twice."]
    _, plain = normalise_vhost_list(["a.example", "A.example"])
    assert plain == ["“a.example” is listed twice."]


def test_international_names_follow_idna_2008_as_registries_do():
    # IDNA 2003 (Python's own codec) would turn this into strasse.de, another domain.
    assert normalise_hostname("Straße.de") == "xn--strae-oqa.de"


def test_a_label_that_only_pretends_to_be_punycode_is_refused():
    with pytest.raises(HostnameError, match="not a valid host name"):
        normalise_hostname("xn--a.com")
