"""The Celery app, built from settings. Run: celery -A workers.app worker / beat."""

from celery import Celery
from celery.schedules import crontab
from kombu import Queue

from graph.settings import get_settings
from workers import signals  # noqa: F401  # JSON logs, request ids and metrics of tasks

SWEEP_EVERY_SECONDS = 60.0
# Queues by kind of work, so that a long run never waits in front of the money path: the
# default queue (orders' rebates, settlement, withdrawals, webhooks, sweeps) and the long
# runs of risk (detection, training) and reports (the full tier verification). A worker reads
# all three unless told otherwise (`--queues`): the local stack runs one such worker; a
# deployment can give each queue workers of its own (docs/scaling.md).
DEFAULT_QUEUE, RISK_QUEUE, REPORTS_QUEUE = "celery", "risk", "reports"
QUEUES = (DEFAULT_QUEUE, RISK_QUEUE, REPORTS_QUEUE)
ROUTES = {
    "risk.detect": RISK_QUEUE, "risk.detect_nightly": RISK_QUEUE,
    "risk.detect_after_events": RISK_QUEUE, "risk.train_model": RISK_QUEUE,
    "compliance.verify": REPORTS_QUEUE, "compliance.verify_daily": REPORTS_QUEUE,
}
# Tasks are acknowledged when done; a task not acknowledged within this time is given to
# another worker. It must outlast the longest run (a detection or verification of a large
# mall), or that run would start twice; short tasks lost to a crash are found sooner by the
# beat's sweeps (uncomputed orders, withdrawals, webhooks).
VISIBILITY_TIMEOUT_SECONDS = 6 * 3600


def make_app() -> Celery:
    """Celery on Redis; tasks are idempotent, so they are acknowledged only when done."""
    settings = get_settings()
    app = Celery("tiergraph", broker=settings.broker_url or settings.redis_url,
                 backend=settings.redis_url)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=4,
        result_expires=7 * 24 * 3600,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_SECONDS},
        task_default_queue=DEFAULT_QUEUE,
        task_queues=[Queue(name) for name in QUEUES],
        task_routes={name: {"queue": queue} for name, queue in ROUTES.items()},
        timezone="UTC",
        beat_schedule={
            "rebates-sweep": {"task": "rebates.sweep", "schedule": SWEEP_EVERY_SECONDS},
            "withdrawals-reconcile": {"task": "withdrawals.reconcile", "schedule": 60.0},
            "withdrawals-expire": {"task": "withdrawals.expire", "schedule": 600.0},
            # entries a missing audit store left unsealed when they were appended
            "audit-seal": {"task": "audit.seal", "schedule": 30.0},
            # 02:00 in China (UTC+8): the daily T+N settlement run
            "settlement-daily": {"task": "settlement.run", "schedule": crontab(hour=18, minute=0)},
            # an hour before settlement, so its holds stop what rings earned (incremental
            # most nights: graph/risk/incremental.py)
            "risk-detect-nightly": {"task": "risk.detect_nightly",
                                    "schedule": crontab(hour=17, minute=0)},
            # after a large import or events batch, once writes went quiet
            "risk-detect-after-events": {"task": "risk.detect_after_events",
                                         "schedule": 60.0},
            # 03:00 in China, after settlement: the tier report verified whole and stored
            "compliance-verify-daily": {"task": "compliance.verify_daily",
                                        "schedule": crontab(hour=19, minute=0)},
            # webhooks a commit's own wake-up did not deliver, and retries falling due
            "webhooks-deliver": {"task": "webhooks.deliver", "schedule": 60.0},
            "webhooks-prune": {"task": "webhooks.prune", "schedule": crontab(hour=20, minute=0)},
            # 00:10 in China: points credited more than TIERGRAPH_POINTS_EXPIRE_DAYS ago
            "points-expire-daily": {"task": "points.expire",
                                    "schedule": crontab(hour=16, minute=10)},
            # leaderboards and ROI kept up with the events (graph/analytics.py)
            "analytics-fold": {"task": "analytics.fold", "schedule": 60.0},
            # 01:30 in China, after the nightly detection and before settlement: team
            # bonuses of the periods whose return windows just ended
            "team-rewards-daily": {"task": "team_rewards.run_due",
                                   "schedule": crontab(hour=17, minute=30)},
        },
        include=["workers.tasks.rebates", "workers.tasks.settlement", "workers.tasks.withdrawals",
                 "workers.tasks.risk", "workers.tasks.audit", "workers.tasks.compliance",
                 "workers.tasks.webhooks", "workers.tasks.points", "workers.tasks.analytics",
                 "workers.tasks.team_rewards"],
    )
    return app


app = make_app()
