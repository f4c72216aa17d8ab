"""`tiergraph import FILE`: the same ingestion as the API, from NDJSON, replay-safe."""

import subprocess
import sys

import orjson

from graph import db
from graph.money.rebates import payouts
from tests.factories import make_chain, make_order


def run_import(path):
    return subprocess.run([sys.executable, "-m", "cli.main", "import", str(path)],
                          capture_output=True, text=True, timeout=300)


def test_import_keeps_good_lines_names_bad_ones_and_replays_as_duplicates(services, ids, tmp_path):
    chain = [ids(f"c{n}") for n in range(5)]
    good = make_chain(chain) + [make_order(ids("o"), chain[4], [("home", 5000)])]
    lines = [orjson.dumps(e) for e in good[:3]]
    lines.append(b'{"type": "user_registered", "user_id": ')  # line 4: malformed
    lines += [orjson.dumps(e) for e in good[3:]]
    lines.append(orjson.dumps(make_chain([ids("x")], root_inviter=ids("nobody"))[0]))  # line 8
    path = tmp_path / "events.ndjson"
    path.write_bytes(b"\n".join(lines) + b"\n")

    first = run_import(path)
    assert first.returncode == 0, first.stderr
    assert "accepted 6, duplicates 0, rejected 2" in first.stdout
    assert "line 4: malformed_json" in first.stdout
    assert "line 8: unknown_inviter" in first.stdout
    payouts(ids("o"))  # settle the race with the worker before counting
    counts = db.read_query("testing.counts_by_prefix", prefix=ids(""))[0]
    assert (counts["users"], counts["orders"], counts["invites"], counts["rebates"]) == (5, 1, 4, 3)

    again = run_import(path)
    assert "accepted 0, duplicates 6, rejected 2" in again.stdout
    assert db.read_query("testing.counts_by_prefix", prefix=ids(""))[0] == counts
