"""The Gandi account form: the key field is never rendered back into the page."""

from django import forms
from django.conf import settings

from sites_app.models import Endpoint, GandiAccount
from sites_app.services import gandi_accounts as account_service

from .bootstrap import BootstrapFormMixin


class GandiAccountForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(max_length=100, help_text="How your team calls this account.")
    endpoint = forms.ChoiceField(choices=Endpoint.choices, initial=Endpoint.PRODUCTION)
    custom_url = forms.URLField(
        required=False,
        label="Custom URL",
        assume_scheme="https",
        help_text="Only for a custom endpoint, e.g. https://rpc.example.net/xmlrpc/",
    )
    # render_value=False: after an error the page shows an empty key field, never the key.
    api_key = forms.CharField(
        label="API key",
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, team, account: GandiAccount | None = None, **kwargs):
        self.team = team
        self.account = account
        if account is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": account.name,
                    "endpoint": account.endpoint,
                    "custom_url": account.custom_url,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["endpoint"].help_text = (
            f"Production: {settings.GANDI_PRODUCTION_URL} · OT&E: {settings.GANDI_OTE_URL} · "
            f"Simulator: {settings.GANDI_SIMULATOR_URL}"
        )
        if account is not None:
            self.fields["api_key"].required = False
            self.fields["api_key"].label = "New API key"
            self.fields["api_key"].help_text = (
                f"Leave empty to keep the current key (ending in {account.key_hint}). "
                "A new endpoint needs the key entered again."
            )
            if not account_service.key_is_readable(account):
                # The stored key is useless now: only a new one makes the account work again.
                self.fields["api_key"].required = True
                self.fields["api_key"].help_text = account_service.UNREADABLE_KEY
                self.fields["api_key"].error_messages["required"] = account_service.UNREADABLE_KEY
        else:
            self.fields["api_key"].help_text = (
                "From your Gandi account settings. It is checked with Gandi, stored encrypted "
                "and never shown again: only its last four characters."
            )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Give the account a name.")
        others = GandiAccount.objects.filter(team=self.team, name__iexact=name)
        if self.account is not None:
            others = others.exclude(pk=self.account.pk)
        if others.exists():
            raise forms.ValidationError("Your team already has an account with this name.")
        return name

    def clean_api_key(self):
        key = self.cleaned_data.get("api_key", "").strip()
        if key and (len(key) < 8 or any(ch.isspace() for ch in key)):
            raise forms.ValidationError(
                "This does not look like an API key: it should be one word of at least "
                "8 characters, without spaces."
            )
        return key

    def clean_custom_url(self):
        url = self.cleaned_data.get("custom_url", "")
        if self.cleaned_data.get("endpoint") != Endpoint.CUSTOM:
            return url  # ignored for the named endpoints
        if url and (problem := account_service.custom_url_problem(url)):
            raise forms.ValidationError(problem)
        return url

    def clean(self):
        cleaned = super().clean()
        endpoint = cleaned.get("endpoint")
        if endpoint == Endpoint.CUSTOM and not cleaned.get("custom_url"):
            if "custom_url" not in self.errors:
                self.add_error("custom_url", "Enter the URL of the custom endpoint.")
        elif (
            self.account is not None
            and endpoint
            and not cleaned.get("api_key")
            and "api_key" not in self.errors
            and account_service.endpoint_changes(
                self.account, endpoint, cleaned.get("custom_url", "")
            )
        ):
            self.add_error("api_key", account_service.KEY_NEEDED_FOR_NEW_ENDPOINT)
        if endpoint and cleaned.get("api_key") and not self.errors:
            url = account_service.endpoint_url(endpoint, cleaned.get("custom_url", ""))
            twin = account_service.same_key_account(
                self.team, url, cleaned["api_key"], exclude=self.account
            )
            if twin is not None:
                self.add_error(
                    "api_key",
                    f"Your team already has this key on this endpoint, as “{twin.name}”: "
                    "its sites would be listed twice.",
                )
            elif account_service.key_in_use_elsewhere(
                self.team, url, cleaned["api_key"], exclude=self.account
            ):
                self.add_error("api_key", account_service.KEY_IN_USE)
        return cleaned
