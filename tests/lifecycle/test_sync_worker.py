"""A sync through a REAL Celery worker: one page per task, chained, until every site is listed."""

from __future__ import annotations

import pytest

from sites_app import tasks
from sites_app.models import Site, SiteSync
from tests.fixtures.celery_worker import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def one_page_per_task(settings):
    settings.SYNC_TASK_SECONDS = 0  # forwarded to the worker, which starts after this
    return settings


@pytest.fixture
def worker(one_page_per_task, account, celery_worker_process):
    return celery_worker_process


def test_a_worker_reads_the_pages_in_chained_tasks_until_every_site_is_listed(
    account, simulator, worker
):
    ids = simulator.seed_sites(account.api_key(), 1001)  # 3 pages of 500

    tasks.sync_account_sites.delay(account.pk, 0)

    def listed():
        sync = SiteSync.objects.filter(account=account).first()
        return sync is not None and sync.status == "done" and sync

    sync = wait_for(listed, timeout=120, message="the pass to end")
    assert (sync.pages_read, sync.sites_read, sync.added) == (3, 1001, 1001)
    stored = Site.objects.present().filter(account=account)
    assert sorted(stored.values_list("gandi_id", flat=True)) == ids
    assert "sync_account_sites_pages" in worker.log()
