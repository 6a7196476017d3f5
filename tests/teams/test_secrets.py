"""API keys never appear in clear: not in the database, the logs, the broker, nor pages.
Rotating the encryption keys keeps old rows readable, then re-encrypts them."""

import base64
import json
import logging
from io import StringIO

import pytest
import redis
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from sites_app.models import AuditEvent, GandiAccount


def database_texts():
    """Every value of every column of every table, as text."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if value is not None:
                        yield (
                            table,
                            value.decode(errors="replace")
                            if isinstance(value, bytes)
                            else str(value),
                        )


def broker_texts():
    """Every value held in Redis (queues, rate limiter, cache), with message bodies decoded."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter():
        kind = client.type(key).decode()
        values = {
            "string": lambda k: [client.get(k)],
            "list": lambda k: client.lrange(k, 0, -1),
            "set": lambda k: list(client.smembers(k)),
            "zset": lambda k: client.zrange(k, 0, -1),
            "hash": lambda k: [v for pair in client.hgetall(k).items() for v in pair],
        }.get(kind, lambda k: [])(key)
        yield key.decode(errors="replace")
        for value in values:
            text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
            yield text
            yield from _decoded_body(text)


def _decoded_body(text: str):
    try:
        message = json.loads(text)
    except ValueError:
        return
    if isinstance(message, dict) and isinstance(message.get("body"), str):
        try:
            yield base64.b64decode(message["body"]).decode(errors="replace")
        except ValueError:
            yield message["body"]


@pytest.mark.django_db
def test_a_run_that_handles_keys_leaves_no_plaintext_key_anywhere(
    alice, client_for, simulator, caplog, loopback_http
):
    from sites_app.tasks import sync_account_sites

    caplog.set_level(logging.DEBUG)
    client = client_for(alice)
    first_key, second_key = simulator.add_account(), simulator.add_account()
    bad_key = "WRONGkey0123456789abcdef"
    keys = [first_key, second_key, bad_key]
    form = {"name": "Main", "endpoint": "custom", "custom_url": simulator.url}
    pages = [
        client.post(reverse("gandi_account_create"), {**form, "api_key": bad_key}),
        client.post(reverse("gandi_account_create"), {**form, "api_key": first_key}),
    ]
    account = GandiAccount.objects.get()
    pages += [
        client.post(reverse("gandi_account_test", args=[account.pk]), follow=True),
        client.post(reverse("gandi_account_edit", args=[account.pk]), {**form, "api_key": bad_key}),
        client.post(
            reverse("gandi_account_edit", args=[account.pk]), {**form, "api_key": second_key}
        ),
        client.get(reverse("gandi_accounts")),
        client.get(reverse("gandi_account_edit", args=[account.pk])),
        client.get(reverse("audit_log")),
        client.get(reverse("audit_export")),
    ]
    sync_account_sites.delay(account.pk)  # a broker message about this account
    sync_account_sites(account.pk)  # and the work itself, in-process, under caplog
    call_command("rotate_gandi_keys", stdout=StringIO())

    assert account.__class__.objects.get().api_key() == second_key  # the run did use the keys
    assert simulator.calls()["site.list"] >= 1
    # The scans below look where the keys travelled: the message is in Redis, the row in the DB.
    assert any("sites_app.sync_account_sites" in text for text in broker_texts())
    assert any(second_key[-4:] == text for _, text in database_texts())
    for key in keys:
        for table, text in database_texts():
            assert key not in text, f"plaintext key in table {table}"
        assert key not in caplog.text
        for record in caplog.records:
            assert key not in record.getMessage() and key not in str(record.args)
        for text in broker_texts():
            assert key not in text, "plaintext key in Redis"
        for page in pages:
            body = b"".join(page.streaming_content) if page.streaming else page.content
            assert key.encode() not in body
    assert AuditEvent.objects.filter(action="gandi_account.key_replace").exists()


@pytest.fixture
def old_and_new_keys(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    return old, new


def make_account(team, api_key: str) -> GandiAccount:
    account = GandiAccount(team=team, name="Main", endpoint="ote")
    account.set_api_key(api_key)
    account.save()
    return account


def test_rotation_keeps_old_rows_readable_then_reencrypts_them(team, settings, old_and_new_keys):
    old, new = old_and_new_keys
    api_key = "rotateMe0123456789abcdef"
    account = make_account(team, api_key)
    token_before = account.api_key_encrypted

    settings.ENCRYPTION_KEYS = [new, old]  # the new key first, the old one still readable
    assert GandiAccount.objects.get().api_key() == api_key

    out = StringIO()
    call_command("rotate_gandi_keys", stdout=out)
    assert "Re-encrypted 1 Gandi API key(s)" in out.getvalue()
    account.refresh_from_db()
    assert account.api_key_encrypted != token_before

    settings.ENCRYPTION_KEYS = [new]  # the old key can now go
    assert GandiAccount.objects.get().api_key() == api_key
    event = AuditEvent.objects.get(action="gandi_account.key_rotated")
    assert api_key not in json.dumps(event.detail)


def test_rotation_names_the_rows_no_configured_key_can_read(team, settings, old_and_new_keys):
    _old, new = old_and_new_keys
    api_key = "lostKey0123456789abcdefg"
    make_account(team, api_key)
    settings.ENCRYPTION_KEYS = [new]  # the old key was dropped too early
    with pytest.raises(CommandError) as raised:
        call_command("rotate_gandi_keys", stdout=StringIO())
    assert "Main" in str(raised.value) and "ENCRYPTION_KEYS" in str(raised.value)
    assert api_key not in str(raised.value)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_using_the_key_logs_and_queues_no_plaintext_key(
    alice, client_for, simulator, celery_worker_process, loopback_http
):
    from sites_app.tasks import sync_account_sites
    from tests.fixtures.celery_worker import wait_for

    key = simulator.add_account()
    form = {"name": "Main", "endpoint": "custom", "custom_url": simulator.url, "api_key": key}
    client_for(alice).post(reverse("gandi_account_create"), form)
    account = GandiAccount.objects.get()
    calls_before = simulator.calls()["site.list"]
    sync_account_sites.delay(account.pk)
    wait_for(lambda: simulator.calls()["site.list"] > calls_before, message="the worker's sync")
    celery_worker_process.stop()  # flush its log

    worker_log = celery_worker_process.log_path.read_text(errors="replace")
    assert "sites_app.sync_account_sites" in worker_log
    assert key not in worker_log
    assert all(key not in text for text in broker_texts())
    assert all(key not in text for _, text in database_texts())
