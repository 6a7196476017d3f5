"""Celery beat entries (descriptive names; task names never change once deployed)."""

BEAT_SCHEDULE: dict = {
    "worker heartbeat every 30 seconds": {
        "task": "sites_app.record_worker_heartbeat",
        "schedule": 30.0,
    },
    # Bounds recovery: lost messages, killed workers and missed polls are picked up here.
    # Leases lapse in 15 s: a tick every 5 s takes a dead worker's row over within ~20 s.
    "reconcile in-flight operations every 5 seconds": {
        "task": "sites_app.reconcile_operations",
        "schedule": 5.0,
        "options": {"expires": 5.0},  # a backlog of ticks is one tick: skip stale ones
    },
    "sync sites of every Gandi account every 10 minutes": {
        "task": "sites_app.sync_all_accounts",
        "schedule": 600.0,
    },
    # Resumes a sync whose worker died, and reads site.info in the background (new or changed
    # sites first, then a slow rolling refresh) at GANDI_BACKGROUND_SHARE of the rate limit.
    "continue site syncs and background site details every 30 seconds": {
        "task": "sites_app.continue_site_syncs",
        "schedule": 30.0,
    },
    "re-check DNS of pending ownership proofs every minute": {
        "task": "sites_app.recheck_pending_verifications",
        "schedule": 60.0,
    },
    # Retries of failed webhook deliveries (rows with next_attempt_at), and any whose
    # message was lost.
    "send due webhook deliveries every 30 seconds": {
        "task": "sites_app.deliver_due_webhooks",
        "schedule": 30.0,
    },
    # What a lost message left untold: operations ended over a minute ago without their
    # notice and webhooks, mails not sent after 10 minutes. Each is done once, however often.
    "notify missed operation ends and unsent mails every minute": {
        "task": "sites_app.notify_missed",
        "schedule": 60.0,
        "options": {"expires": 60.0},  # a backlog of ticks is one tick
    },
    # Once per (site, 30/7/1 days, paid-until): safe to run often and twice.
    "notify sites expiring in 30, 7 and 1 days every hour": {
        "task": "sites_app.notify_expiring_sites",
        "schedule": 3600.0,
    },
}
