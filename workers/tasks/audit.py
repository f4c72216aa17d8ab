"""Sealing of audit entries that could not be sealed when they were appended."""

from graph.audit import trail
from workers.app import app


@app.task(name="audit.seal")
def seal() -> int:
    """Seal every audit entry after the last sealed one in the audit store."""
    return trail.seal()
