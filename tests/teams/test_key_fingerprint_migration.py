"""Migration 0010 gives each stored key its fingerprint; of two accounts holding one Gandi
account (made before the rule), the older keeps it and the release still goes through."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sites_app import crypto
from sites_app.models.accounts import key_fingerprint

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("sites_app", "0009_sync_site_events")]
AFTER = [("sites_app", "0010_one_account_per_gandi_key")]
URL = "http://127.0.0.1:9/xmlrpc/"


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_the_older_of_two_accounts_with_one_key_keeps_the_fingerprint():
    old = migrate(BEFORE)
    Team, GandiAccount = (
        old.get_model("sites_app", "Team"),
        old.get_model("sites_app", "GandiAccount"),
    )
    shared, own = "SharedSharedShared000001", "OwnOwnOwnOwnOwnOwn000002"
    rows = []
    for team_name, key in (("First", shared), ("Second", shared), ("Third", own)):
        team = Team.objects.create(name=team_name)
        rows.append(
            GandiAccount.objects.create(
                team=team,
                name="Gandi",
                endpoint="custom",
                custom_url=URL,
                api_key_encrypted=crypto.encrypt(key),
                key_hint=key[-4:],
            )
        )
    unreadable = GandiAccount.objects.create(
        team=Team.objects.create(name="Fourth"), name="Gandi", endpoint="custom",
        custom_url=URL, api_key_encrypted="not-a-fernet-token", key_hint="oops",
    )  # fmt: skip
    try:
        new = migrate(AFTER).get_model("sites_app", "GandiAccount")
        found = {row.pk: new.objects.get(pk=row.pk).key_fingerprint for row in [*rows, unreadable]}
        assert found[rows[0].pk] == key_fingerprint(URL, shared)  # the older one
        assert found[rows[1].pk] == ""  # the later twin: left for an owner to remove
        assert found[rows[2].pk] == key_fingerprint(URL, own)
        assert found[unreadable.pk] == ""
    finally:
        migrate(executor_leaf())


def executor_leaf():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
