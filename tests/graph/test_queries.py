"""The query registry: every name the code asks for exists, unknown names fail loudly."""

import re
from pathlib import Path

import pytest

from graph.queries import QueryRegistry, queries

ROOT = Path(__file__).resolve().parents[2]
CALL = re.compile(r"""(?:run|read_query|write_query)\(\s*(?:tx,\s*)?["']([a-z_]+\.[a-z_]+)["']""")


def test_every_query_named_in_code_exists():
    named = set()
    for folder in ("graph", "api", "workers", "cli", "lab", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            named.update(CALL.findall(path.read_text()))
    assert named, "the scan found no query names: the pattern is out of date"
    queries.include(ROOT / "lab" / "cypher")  # what `import lab` adds in a lab process
    missing = sorted(n for n in named if n not in queries.names())
    assert missing == []


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(KeyError, match="invites.upline"):
        queries["invites.no_such_query"]


def test_schema_statements_are_idempotent():
    for name in ("schema.constraints", "schema.indexes"):
        statements = queries.statements(name)
        assert statements and all("IF NOT EXISTS" in s or "IF EXISTS" in s for s in statements)


def test_no_query_builds_values_into_text():
    # Values come only as $parameters: no Python format placeholders in any query file.
    for name in queries.names():
        assert not re.search(r"\{[a-z_]+\}|%s|%\(", queries[name]), name


def test_the_service_loads_no_test_or_lab_query():
    service = QueryRegistry().names()
    assert "invites.upline" in service
    assert [n for n in service if n.split(".")[0] in ("testing", "bench")] == []
    assert "testing.graph_totals" in queries.names()  # the tests' own folder, added here


def test_a_name_defined_twice_is_refused(tmp_path: Path):
    (tmp_path / "invites").mkdir()
    (tmp_path / "invites" / "upline.cypher").write_text("RETURN 1 AS other")
    with pytest.raises(ValueError, match="invites.upline"):
        QueryRegistry().include(tmp_path)
