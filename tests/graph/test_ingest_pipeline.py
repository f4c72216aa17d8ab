"""`ingest_lines(pipelined=True)` (the import's default) against the real Neo4j: the next
chunk is checked while the last one is written, with the same answers and the same graph as
one chunk after another, chunks building on the one before (inviters, buyers, refunded
orders) included."""

import orjson
import pytest

from graph import db
from graph.ingest import store
from graph.ingest.batch import IngestResult
from graph.ingest.pipeline import ingest_lines
from tests.factories import make_chain, make_order, make_session, make_user

MALFORMED_AT = 17  # the file's one line that is not JSON


def mall(p: str) -> list[bytes]:
    """A file whose every id starts with `p`: chains and fans of users across chunk borders,
    orders of users from earlier chunks, refunds and completions of earlier chunks' orders,
    a replay within the file and one bad event of each common kind."""
    chain = [f"{p}u{n}" for n in range(9)]
    events = make_chain(chain)
    events += [make_user(f"{p}v{n}", chain[n % 9]) for n in range(12)]
    events += [make_order(f"{p}o{n}", f"{p}v{n}", [("home", 1000 * (n + 1))],
                          device_id=f"{p}d{n % 3}", ip=f"10.9.{n % 4}.1") for n in range(10)]
    events += [make_session(f"{p}u{n}", f"{p}d{n % 3}", "10.9.9.9") for n in range(4)]
    events += [{"type": "order_refunded", "order_id": f"{p}o{n}", "refund_id": f"{p}r{n}",
                "amount_cents": 500, "at": "2026-03-03T10:00:00+08:00"} for n in range(0, 10, 2)]
    events += [{"type": "order_refunded", "order_id": f"{p}o0", "refund_id": f"{p}r0b",
                "amount_cents": 500, "at": "2026-03-03T11:00:00+08:00"},   # the rest of o0
               {"type": "order_refunded", "order_id": f"{p}o0", "refund_id": f"{p}r0c",
                "amount_cents": 1, "at": "2026-03-03T12:00:00+08:00"}]    # nothing is left
    events += [{"type": "order_completed", "order_id": f"{p}o{n}",
                "at": "2026-03-20T10:00:00+08:00"} for n in range(1, 10, 3)]
    events += [make_user(f"{p}v3", chain[3]),             # a replay: a duplicate
               make_user(f"{p}v4", chain[0]),             # another inviter: refused
               make_user(f"{p}w", f"{p}nobody"),          # unknown inviter: refused
               make_order(f"{p}o99", f"{p}ghost")]        # unknown buyer: refused
    lines = [orjson.dumps(e) for e in events]
    lines.insert(MALFORMED_AT, b'{"type": "session", ')
    return lines


def graph_of(p: str) -> dict:
    """Each user's stored upline (by the ids the file names) and the counts under `p`."""
    lines = mall(p)
    del lines[MALFORMED_AT]
    named = {e["user_id"] for e in map(orjson.loads, lines) if e["type"] == "user_registered"}
    uplines = {}
    for user in sorted(named):
        rows = db.read_query("invites.upline", user_id=user)
        uplines[user.removeprefix(p)] = (
            [x.removeprefix(p) for x in rows[0]["upline"]] if rows[0]["found"] else None)
    counts = db.read_query("testing.counts_by_prefix", prefix=p)[0]
    counts.pop("rebates")  # computed by the worker whenever it gets to them: not ingestion's
    return {"uplines": uplines, "counts": counts}


def answer(result: IngestResult) -> dict:
    return {"accepted": result.accepted, "duplicates": result.duplicates,
            "rejected": [(r.index, r.reason) for r in result.rejected]}


def test_pipelined_import_answers_and_stores_what_one_chunk_at_a_time_does(graph, ids):
    serial_p, piped_p = ids("s-"), ids("p-")
    chunks: list[int] = []
    serial = ingest_lines(mall(serial_p), 5)
    piped = ingest_lines(mall(piped_p), 5, lambda _r, done: chunks.append(done), pipelined=True)

    assert answer(piped) == answer(serial)
    assert answer(serial)["rejected"] == [
        (MALFORMED_AT, "malformed_json"), (42, "refund_exceeds_order"),
        (47, "inviter_conflict"), (48, "unknown_inviter"), (49, "unknown_user")]
    assert chunks == sorted(chunks) and chunks[-1] == len(mall(piped_p))  # reported in order
    assert graph_of(piped_p) == graph_of(serial_p)
    stored = graph_of(piped_p)
    assert stored["uplines"]["u8"] == ["u7", "u6", "u5"]
    assert stored["uplines"]["v4"] == ["u4", "u3", "u2"]  # the first binding stands
    assert stored["uplines"]["w"] is None
    assert (stored["counts"]["users"], stored["counts"]["orders"],
            stored["counts"]["refunds"]) == (21, 10, 6)

    again = ingest_lines(mall(piped_p), 5, pipelined=True)  # a replay changes nothing
    assert (again.accepted, again.duplicates) == (0, piped.accepted + piped.duplicates)
    assert graph_of(piped_p) == stored


def test_a_chunk_refused_as_stale_is_checked_again_and_so_are_those_built_on_it(
        graph, ids, monkeypatch):
    real_write, refused = store._write, []

    def write_once_stale(tx, plan):  # the first refund-carrying write meets a changed order
        if plan.refund_basis and not refused:
            refused.append(sorted(plan.refund_basis))
            raise store.Stale()
        return real_write(tx, plan)

    serial_p, piped_p = ids("s-"), ids("p-")
    serial = ingest_lines(mall(serial_p), 5)
    monkeypatch.setattr(store, "_write", write_once_stale)
    piped = ingest_lines(mall(piped_p), 5, pipelined=True)

    assert refused, "no chunk carried a refund"
    assert answer(piped) == answer(serial)
    assert graph_of(piped_p) == graph_of(serial_p)


def test_a_failed_write_ends_the_import_after_the_write_in_flight(graph, ids, monkeypatch):
    real_write, calls = store._write, []

    def third_fails(tx, plan):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real_write(tx, plan)

    monkeypatch.setattr(store, "_write", third_fails)
    p = ids("f-")
    with pytest.raises(RuntimeError, match="disk full"):
        ingest_lines(mall(p), 5, pipelined=True)
    monkeypatch.setattr(store, "_write", real_write)
    ingest_lines(mall(p), 5, pipelined=True)  # run again: it completes
    q = ids("q-")
    ingest_lines(mall(q), 5)
    assert graph_of(p) == graph_of(q)
