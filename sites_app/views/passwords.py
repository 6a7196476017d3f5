"""Django's password views, with an audit event when a password changes and a rate limit on
reset mails."""

from allauth.account.adapter import get_adapter as get_account_adapter
from django.contrib.auth import views as auth_views

from sites_app import audit
from sites_app.services import rate_limits

RESET_REFUSED = (
    "Too many password reset requests from your address or for this email address. "
    "No email was sent; try again in an hour."
)


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form):
        # Counted and answered the same whether or not an account uses the address.
        if rate_limits.password_reset_refused(self.request, form.cleaned_data["email"]):
            form.add_error(None, RESET_REFUSED)
            audit.record("auth.password_reset_refused", outcome="failure", request=self.request)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


def _tell_by_mail(request, user, template_prefix: str) -> None:
    """A mail to the person (allauth's notification, with the address and browser): a changed
    password they did not change themselves is how a takeover gets noticed."""
    get_account_adapter(request).send_notification_mail(template_prefix, user, email=user.email)


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record("auth.password_change", actor=self.request.user, request=self.request)
        _tell_by_mail(self.request, self.request.user, "account/email/password_changed")
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record("auth.password_reset", actor=form.user, request=self.request)
        _tell_by_mail(self.request, form.user, "account/email/password_reset")
        return response
