"""Forms of the site lifecycle: create, vhosts, upgrade, delete, and the list's filters.

`clean_*` methods normalise what people type (punycode, lower case, trimmed) so the services
only ever see valid values; a form re-shown with errors keeps what was typed.
"""

from __future__ import annotations

import re
import secrets

from django import forms

from sites_app.forms.bootstrap import BootstrapFormMixin
from sites_app.services.hostnames import HostnameError, normalise_hostname, normalise_vhost_list

PROVIDERS = [("basekit_whitelabel", "Basekit (Gandi's website builder)")]
DURATIONS = [
    ("1m", "1 month"),
    ("3m", "3 months"),
    ("6m", "6 months"),
    ("1y", "1 year"),
    ("2y", "2 years"),
    ("3y", "3 years"),
]
DURATION_PATTERN = re.compile(r"^(\d{1,2})([my])$")
MAX_NAME = 64
MAX_VHOSTS = 50


def new_request_key() -> str:
    """The hidden key that makes a double-clicked or re-sent form one request."""
    return secrets.token_urlsafe(18)


def clean_duration_value(value: str) -> str:
    value = (value or "").strip().lower()
    match = DURATION_PATTERN.match(value)
    if not match:
        raise forms.ValidationError("Choose a duration such as 1m, 12m or 2y.")
    amount, unit = int(match.group(1)), match.group(2)
    limit = 36 if unit == "m" else 3
    if not 1 <= amount <= limit:
        raise forms.ValidationError(
            "A duration is 1 to 36 months (1m..36m) or 1 to 3 years (1y..3y)."
        )
    return f"{amount}{unit}"


class RequestKeyField(forms.CharField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(max_length=64, min_length=8, **kwargs)
        self.error_messages["required"] = "The form lost its request key; reload the page."


class VhostListField(forms.CharField):
    """One host name per line, in order; the first is the preferred one."""

    widget = forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocapitalize": "off"})

    def __init__(self, **kwargs):
        # Far above MAX_VHOSTS full-length names; stops a huge paste before any work on it.
        kwargs.setdefault("max_length", 20_000)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        lines = [line for line in value.splitlines() if line.strip()]
        if len(lines) > MAX_VHOSTS:
            raise forms.ValidationError(f"At most {MAX_VHOSTS} vhosts per site.")
        names, problems = normalise_vhost_list(lines)
        if problems:
            raise forms.ValidationError(problems)
        if not names:
            raise forms.ValidationError("Enter at least one host name.")
        if len(names) > MAX_VHOSTS:
            raise forms.ValidationError(f"At most {MAX_VHOSTS} vhosts per site.")
        return names


class SiteCreateForm(BootstrapFormMixin, forms.Form):
    account = forms.ChoiceField(label="Gandi account")
    name = forms.CharField(max_length=MAX_NAME, help_text=f"1 to {MAX_NAME} printable characters.")
    provider = forms.ChoiceField(choices=PROVIDERS, initial="basekit_whitelabel")
    package = forms.ChoiceField(help_text="The offer; you can upgrade later, never downgrade.")
    duration = forms.ChoiceField(choices=DURATIONS, initial="1m", label="Paid for")
    vhosts = VhostListField(
        label="Vhosts",
        help_text="One host name per line. The first is the preferred one (used for SEO).",
    )
    request_key = RequestKeyField()

    def __init__(self, *args, accounts, packages: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [(str(a.pk), a.name) for a in accounts]
        self.fields["package"].choices = [(p, p.capitalize()) for p in packages]
        if not self.is_bound:
            self.initial.setdefault("request_key", new_request_key())
            if packages:
                self.initial.setdefault("package", packages[0])

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Enter a name for the site.")
        if len(name) > MAX_NAME:
            raise forms.ValidationError(
                f"The name is {len(name)} characters long; at most {MAX_NAME}."
            )
        if not name.isprintable():
            raise forms.ValidationError("The name contains characters that cannot be printed.")
        return name

    def clean_duration(self) -> str:
        return clean_duration_value(self.cleaned_data["duration"])


class CreateConfirmForm(forms.Form):
    """The second step of a create: the checked request (signed) and the price accepted."""

    checked = forms.CharField(max_length=40_000, widget=forms.HiddenInput)
    accept_quote = forms.BooleanField(
        required=False, label="I accept this price; Gandi bills it to the account's credit"
    )
    # The price the person saw; refused if Gandi's quote differs when posted.
    quoted_price = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    quoted_currency = forms.CharField(required=False, max_length=3, widget=forms.HiddenInput)
    request_key = RequestKeyField()


class VhostsForm(BootstrapFormMixin, forms.Form):
    """The complete new ordered list (add, remove and reorder in one change)."""

    vhosts = VhostListField(
        label="Vhosts, in order",
        help_text="One per line; the first is the preferred vhost. The parking vhost must stay.",
    )
    # The list the page showed. The change is what the person did to that list, so a vhost
    # added in the meantime (another tab, a colleague) is kept rather than read as removed.
    based_on = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20_000)
    request_key = RequestKeyField()

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        if not self.is_bound:
            self.initial.setdefault("vhosts", "\n".join(site.vhost_names()))
            self.initial.setdefault("based_on", "\n".join(site.vhost_names()))
            self.initial.setdefault("request_key", new_request_key())

    def clean_based_on(self) -> list[str] | None:
        names, problems = normalise_vhost_list(self.cleaned_data["based_on"].splitlines())
        return None if problems or not names else names

    def clean_vhosts(self) -> list[str]:
        names = self.cleaned_data["vhosts"]
        parking = self.site.parking_vhost
        if parking and parking not in names:
            raise forms.ValidationError(
                f"The parking vhost {parking} must stay: Gandi needs it to edit the site."
            )
        if names == self.site.vhost_names():
            raise forms.ValidationError("This is the current list; change something first.")
        return names


class VhostQuickForm(forms.Form):
    """One-click changes on the vhost list: add one, remove one, make one preferred."""

    action = forms.ChoiceField(choices=[("add", "add"), ("remove", "remove"), ("prefer", "prefer")])
    vhost = forms.CharField(max_length=300)
    request_key = RequestKeyField()

    def clean_vhost(self) -> str:
        try:
            return normalise_hostname(self.cleaned_data["vhost"])
        except HostnameError as exc:
            raise forms.ValidationError(str(exc)) from None

    def new_list(self, current: list[str], parking: str) -> list[str]:
        action, name = self.cleaned_data["action"], self.cleaned_data["vhost"]
        if action == "add":
            if name in current:
                raise forms.ValidationError(f"{name} is already a vhost of this site.")
            return [*current, name]
        if name not in current:
            raise forms.ValidationError(f"{name} is not a vhost of this site.")
        if action == "remove":
            if name == parking:
                raise forms.ValidationError(
                    f"The parking vhost {parking} cannot be removed: Gandi needs it to edit "
                    "the site."
                )
            return [v for v in current if v != name]
        if current and current[0] == name:
            raise forms.ValidationError(f"{name} is already the preferred vhost.")
        return [name, *[v for v in current if v != name]]


class UpgradeForm(forms.Form):
    package = forms.CharField(max_length=64)
    accept_quote = forms.BooleanField(
        error_messages={"required": "Tick the box to accept the price."}
    )
    # The price the person saw and accepted; refused if Gandi's quote differs when posted.
    quoted_price = forms.CharField(required=False, max_length=32)
    quoted_currency = forms.CharField(required=False, max_length=3)
    request_key = RequestKeyField()


class DeleteForm(BootstrapFormMixin, forms.Form):
    confirm_name = forms.CharField(label="Type the site's name to confirm", max_length=300)
    request_key = RequestKeyField()

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        if not self.is_bound:
            self.initial.setdefault("request_key", new_request_key())

    def clean_confirm_name(self) -> str:
        typed = self.cleaned_data["confirm_name"].strip()
        if typed != self.site.name:
            raise forms.ValidationError(
                f"That is not the site's name. Type “{self.site.name}” exactly to delete it."
            )
        return typed


class RetryForm(forms.Form):
    request_key = RequestKeyField()


# Each sort ends on gandi_id in the same direction, so one index serves it both ways.
SORTS = {
    "name": (("name", "gandi_id"), "Name A→Z"),
    "-name": (("-name", "-gandi_id"), "Name Z→A"),
    "paid_until": (("paid_until", "gandi_id"), "Expires soonest"),
    "-paid_until": (("-paid_until", "-gandi_id"), "Expires latest"),
    "-date_created": (("-date_created", "-gandi_id"), "Newest"),
    "date_created": (("date_created", "gandi_id"), "Oldest"),
}


class SiteFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search name or vhost")
    account = forms.ChoiceField(required=False)
    state = forms.CharField(required=False, max_length=32)
    package = forms.CharField(required=False, max_length=64)
    expiring = forms.IntegerField(
        required=False, min_value=0, max_value=3650, label="Expiring within (days)"
    )
    sort = forms.ChoiceField(
        required=False, choices=[(k, label) for k, (_, label) in SORTS.items()]
    )

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", "All accounts")] + [
            (str(a.pk), a.name) for a in accounts
        ]


class OperationFilterForm(forms.Form):
    step = forms.CharField(required=False, max_length=32)
    status = forms.CharField(required=False, max_length=32)
    kind = forms.CharField(required=False, max_length=32)
    # Bounded so a huge number in the query string is a form error, not a database overflow.
    site = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    account = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
