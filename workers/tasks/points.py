"""Points expiry on beat: what was credited more than TIERGRAPH_POINTS_EXPIRE_DAYS ago and
not spent goes back to the pool (graph/money/points.py)."""

from datetime import datetime
from typing import Any

from graph.money import points
from workers.app import app


@app.task(name="points.expire")
def expire(now: str | None = None, full: bool = False) -> dict[str, Any]:
    """Expire points as of `now` (ISO time) or the clock; idempotent per user and day."""
    return points.expire(datetime.fromisoformat(now) if now else None, full=full)
