"""Where each task is queued: the long runs on queues of their own, the rest on the default
queue the money path uses; a worker reads all three unless told otherwise (pure)."""

from workers.app import DEFAULT_QUEUE, QUEUES, ROUTES, app


def queue_of(task: str) -> str:
    return str(app.amqp.router.route({}, task)["queue"].name)


def test_long_runs_go_to_their_own_queues_and_money_stays_on_the_default():
    assert queue_of("risk.detect") == queue_of("risk.train_model") == "risk"
    assert queue_of("compliance.verify") == "reports"
    for task in ("rebates.compute", "rebates.sweep", "settlement.run", "withdrawals.reconcile",
                 "webhooks.deliver", "team_rewards.run"):
        assert queue_of(task) == DEFAULT_QUEUE


def test_every_route_names_a_task_the_worker_knows_and_a_queue_it_reads():
    app.loader.import_default_modules()
    known = {name for name in app.tasks if not name.startswith("celery.")}
    assert set(ROUTES) <= known
    assert set(ROUTES.values()) | {DEFAULT_QUEUE} == set(QUEUES) == set(app.amqp.queues)
