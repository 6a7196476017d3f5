"""URLs of teams, members, invitations, Gandi accounts and the audit log."""

from django.urls import path

from sites_app.views import audit_log, gandi_accounts, invitations, members, teams

urlpatterns = [
    path("team/", teams.team_detail, name="team_detail"),
    path("team/rename/", teams.team_rename, name="team_rename"),
    path("team/leave/", teams.team_leave, name="team_leave"),
    path("teams/new/", teams.team_create, name="team_create"),
    path("team/members/<int:membership_id>/role/", members.member_role, name="member_role"),
    path("team/members/<int:membership_id>/remove/", members.member_remove, name="member_remove"),
    path("team/invitations/", invitations.invitations, name="invitations"),
    path(
        "team/invitations/<int:invitation_id>/revoke/",
        invitations.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    path("gandi-accounts/", gandi_accounts.account_list, name="gandi_accounts"),
    path("gandi-accounts/new/", gandi_accounts.account_create, name="gandi_account_create"),
    path(
        "gandi-accounts/<int:account_id>/", gandi_accounts.account_edit, name="gandi_account_edit"
    ),
    path(
        "gandi-accounts/<int:account_id>/test/",
        gandi_accounts.account_test,
        name="gandi_account_test",
    ),
    path(
        "gandi-accounts/<int:account_id>/delete/",
        gandi_accounts.account_delete,
        name="gandi_account_delete",
    ),
    path("audit/", audit_log.audit_log, name="audit_log"),
    path("audit/export.csv", audit_log.audit_export, name="audit_export"),
]
