"""The schema applied by several processes at once (the API's processes start together): each
finishes, and the schema is whole after."""

import threading

from graph import db


def _constraints() -> set[str]:
    with db.get_driver().session() as session:
        return {r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name RETURN name")}


def test_processes_applying_the_schema_at_once_all_finish(graph):
    before = _constraints()
    with db.get_driver().session() as session:  # a new release's constraints, not made yet
        for name in ("level_change_id", "rule_id", "order_id"):
            session.run(f"DROP CONSTRAINT {name} IF EXISTS").consume()
    errors: list[BaseException] = []

    def apply() -> None:
        try:
            db.apply_schema()
        except BaseException as error:  # reported below
            errors.append(error)

    workers = [threading.Thread(target=apply) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert _constraints() == before and "level_change_id" in before
