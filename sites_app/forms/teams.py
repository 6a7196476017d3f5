"""Forms for teams, members, invitations, the profile and the audit-log filter."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from sites_app.models import Role
from sites_app.templatetags.audit_display import action_label

from .bootstrap import BootstrapFormMixin


class TeamForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(max_length=100, label="Team name")

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Give the team a name.")
        return name


class InvitationForm(BootstrapFormMixin, forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)

    def __init__(self, *args, grantable_roles: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [c for c in Role.choices if c[0] in grantable_roles]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class SignupForm(BootstrapFormMixin, UserCreationForm):
    """Create an account from an invitation: the email is the invited address."""

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username",)

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.email = email  # so the password validators compare against it too
        self.fields["username"].help_text = "Letters, digits and @ . + - _ only."


class ProfileForm(BootstrapFormMixin, forms.ModelForm):
    """Name and email. Invitations are bound to email addresses, so a new address needs the
    current password (a borrowed session cannot move the account) and must be nobody else's."""

    current_password = forms.CharField(
        label="Current password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "current-password"}),
        help_text="Needed only to change your email address.",
    )

    class Meta:
        model = get_user_model()
        fields = ("first_name", "last_name", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.old_email = self.instance.email  # the instance takes the new one on validation

    @property
    def email_changed(self) -> bool:
        new = self.cleaned_data.get("email")
        return bool(new) and new != (self.old_email or "").lower()

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        others = get_user_model().objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if email and others.exists():
            raise forms.ValidationError("Another person already uses this email address.")
        return email

    def clean(self):
        cleaned = super().clean()
        if self.email_changed:
            password = cleaned.get("current_password", "")
            if not password:
                self.add_error(
                    "current_password",
                    "Enter your current password to change your email address.",
                )
            elif not self.instance.check_password(password):
                self.add_error("current_password", "Your current password is not correct.")
        return cleaned


class AuditFilterForm(BootstrapFormMixin, forms.Form):
    person = forms.ChoiceField(required=False, label="Person")
    action = forms.ChoiceField(required=False, label="Action")
    object = forms.CharField(
        required=False, max_length=255, label="Object", help_text="Name or id, e.g. a site name"
    )

    def __init__(self, *args, people: list[str], actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Anyone"), *((p, p) for p in people)]
        self.fields["action"].choices = [
            ("", "Any action"),
            *((a, f"{action_label(a)} ({a})") for a in actions),
        ]
