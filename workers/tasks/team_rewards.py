"""Team bonuses: a closed period paid as a job (POST /v1/team-rewards/{id}/runs), and the
daily beat paying the periods that came due (graph/money/team_bonuses.py)."""

from typing import Any

from celery.utils.log import get_task_logger

from graph import jobs
from graph.money import team_bonuses
from workers.app import app
from workers.job_runner import Progress, run_job

log = get_task_logger(__name__)
RUN_KIND = "team_rewards.run"


@app.task(name="team_rewards.run", acks_late=True)
def run(job_id: str, reward_id: str, period: str, actor: str, role: str) -> dict[str, Any]:
    """Pay one reward's bonuses for one closed period, telling the job; idempotent (a
    replay pays nobody twice), so a lost worker's run is simply run again."""
    kind = f"{RUN_KIND}:{reward_id}:{period}"

    def work(_: Progress) -> dict[str, Any]:
        with jobs.lock(kind, timeout_seconds=3600):
            return team_bonuses.run_period(reward_id, period, actor=actor, role=role)

    return run_job(job_id, "team reward run", work, log, stage="paying")


@app.task(name="team_rewards.run_due")
def run_due() -> list[dict[str, Any]]:
    """Pay the periods that came due, for every reward not run for them yet (beat, daily)."""
    return team_bonuses.run_due()
