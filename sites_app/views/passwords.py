"""Django's password views, with an audit event when a password changes."""

from django.contrib.auth import views as auth_views

from sites_app import audit


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record("auth.password_change", actor=self.request.user, request=self.request)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record("auth.password_reset", actor=form.user, request=self.request)
        return response
