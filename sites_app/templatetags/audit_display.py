"""Audit actions in plain words; the code stays beside them for filters and support."""

from django import template

from sites_app.models.operations import OperationKind

register = template.Library()

ACTION_LABELS = {
    "auth.login": "Signed in",
    "auth.login_failed": "Failed sign-in",
    "auth.logout": "Signed out",
    "auth.password_change": "Changed their password",
    "auth.password_reset": "Reset their password",
    "auth.password_reset_refused": "Password reset refused (rate limit)",
    "auth.locked_out": "Sign-in locked after failures",
    "auth.mfa_enrol": "Added a second factor",
    "auth.mfa_remove": "Removed a second factor",
    "auth.mfa_code_reused": "Entered a used second-factor code again (refused)",
    "auth.recovery_code_used": "Used a recovery code",
    "team.require_mfa": "Changed the team's MFA requirement",
    "gandi_account.add": "Added a Gandi account",
    "gandi_account.change": "Changed a Gandi account",
    "gandi_account.key_replace": "Replaced a Gandi API key",
    "gandi_account.key_rotated": "Re-encrypted a Gandi API key",
    "gandi_account.remove": "Removed a Gandi account",
    "gandi_account.test": "Tested a Gandi connection",
    "invitation.accept": "Accepted an invitation",
    "invitation.revoke": "Revoked an invitation",
    "invitation.send": "Sent an invitation",
    "member.role_change": "Changed a member's role",
    "member.remove": "Removed a member",
    "member.leave": "Left the team",
    "profile.email_change": "Changed their email address",
    "profile.email_change_requested": "Asked to change their email address",
    "profile.update": "Updated their profile",
    "site.cancel": "Cancelled an operation",
    "site.edit_link": "Opened the site editor",
    "site.sync": "Synced sites from Gandi",
    "site.verification_abandoned": "Abandoned an ownership proof",
    "site.verification_started": "Started an ownership proof",
    "site.verification_edited": "Corrected an ownership proof's vhosts",
    "site.verification_auto_chosen": "Chose to send once DNS shows every record",
    "site.verification_auto_submitted": "Sent a proven request automatically",
    "team.create": "Created the team",
    "team.rename": "Renamed the team",
    **{f"site.{kind.value}": kind.label for kind in OperationKind},
}


@register.filter
def action_label(action: str) -> str:
    """The plain label of an audit action; unknown ones read as their code, spaced out."""
    return ACTION_LABELS.get(action) or action.replace("_", " ").replace(".", ": ")


@register.filter
def object_type_label(model_name: str) -> str:
    """`Gandi account` for `gandiaccount`: the model's own verbose name, not its code."""
    from django.apps import apps

    try:
        model = apps.get_model("sites_app", model_name)
    except (LookupError, ValueError):
        return model_name
    name = str(model._meta.verbose_name)
    return name.capitalize() if name else model_name
