"""Staff keep the Django admin; it never shows an API key and cannot edit the audit log."""

from django.urls import reverse

from sites_app import audit


def test_staff_see_gandi_accounts_in_the_admin_without_the_key(alice, client_for, sim_account):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    account, key = sim_account()
    client = client_for(alice)
    listing = client.get(reverse("admin:sites_app_gandiaccount_changelist"))
    change = client.get(reverse("admin:sites_app_gandiaccount_change", args=[account.pk]))
    assert listing.status_code == change.status_code == 200
    for page in (listing, change):
        assert key not in page.content.decode()
    assert key[-4:] in change.content.decode()


def test_the_admin_cannot_add_change_or_delete_audit_events(alice, client_for, team):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    event = audit.record("team.rename", actor=alice, team=team, obj=team)
    client = client_for(alice)
    assert client.get(reverse("admin:sites_app_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:sites_app_auditevent_add")).status_code == 403
    delete = client.post(reverse("admin:sites_app_auditevent_delete", args=[event.pk]))
    assert delete.status_code == 403
    view = client.get(reverse("admin:sites_app_auditevent_change", args=[event.pk]))
    assert view.status_code == 200  # read-only: no save button
    assert 'name="_save"' not in view.content.decode()
