"""Forms of notification choices and of webhooks."""

from django import forms

from sites_app.models import NotificationEvent, WebhookEvent
from sites_app.services import webhooks

from .bootstrap import BootstrapFormMixin


class NotificationPreferenceForm(BootstrapFormMixin, forms.Form):
    email_events = forms.MultipleChoiceField(
        choices=NotificationEvent.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="By email",
    )
    portal_events = forms.MultipleChoiceField(
        choices=NotificationEvent.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="In the portal (the bell)",
    )


class WebhookForm(BootstrapFormMixin, forms.Form):
    url = forms.URLField(
        max_length=500,
        label="URL",
        assume_scheme="https",
        help_text="https:// only; the portal POSTs JSON to it, signed (see the README).",
    )
    description = forms.CharField(max_length=200, required=False)
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")
    new_secret = forms.BooleanField(
        required=False,
        label="Make a new signing secret (the old one stops working at once)",
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["new_secret"]
            del self.fields["is_active"]
        self.fields["events"].error_messages["required"] = "Choose at least one event."

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if problem := webhooks.url_problem(url):
            raise forms.ValidationError(problem)
        try:
            webhooks.resolve_checked(url)
        except webhooks.UnsafeDestination as exc:
            raise forms.ValidationError(exc.message) from exc
        return url
