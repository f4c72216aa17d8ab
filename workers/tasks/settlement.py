"""The daily settlement run (Celery beat), crediting everything due as of now."""

from datetime import UTC, datetime

from graph.money import settlement
from workers.app import app


@app.task(name="settlement.run")
def run(as_of: str | None = None) -> dict:  # type: ignore[type-arg]
    """Settle as of `as_of` (ISO time) or now; audited as the scheduler's action."""
    moment = datetime.fromisoformat(as_of) if as_of else datetime.now(UTC)
    return settlement.run(moment, actor="beat:settlement", role="admin")
