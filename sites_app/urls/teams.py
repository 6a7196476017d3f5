"""URLs of teams, members, invitations, Gandi accounts and the audit log."""

urlpatterns: list = []
