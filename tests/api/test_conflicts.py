"""Concurrent batches that disagree: the loser is refused by reason, whatever the interleaving.

Two interleavings are forced on the real ingestion (real Neo4j), by pausing it between its
steps (graph/ingest/batch.py: read and check, then write):
- `checked_together`: every batch has read and checked before any of them writes, so no
  check can see the others and only the write finds the clash;
- `checked_during_write`: one batch has written but not committed while the others read
  and check; they see nothing of it, and their writes wait for its commit, then find it.
`one_after_another` is the plain case, where the check itself finds the stored entry.
"""

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import orjson
import pytest

from graph.ingest import store
from graph.ingest.pipeline import ingest_lines
from tests.conftest import auth
from tests.factories import make_order, make_user

MALL = auth("mall")
WAIT = 60  # seconds a paused step waits for the others: a hang fails instead of blocking
INTERLEAVINGS = ["checked_together", "checked_during_write", "one_after_another"]


def post(client, events: list[dict[str, Any]]) -> dict[str, Any]:
    answer = client.post("/v1/events", headers=MALL, json=events)
    assert answer.status_code == 200, answer.text
    return answer.json()


class Interleave:
    """Wraps the real store's steps so that concurrent batches meet in a chosen order, and
    keeps what each write found stored by another batch."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, parties: int) -> None:
        self.parties, self.lock = parties, threading.Lock()
        self.arrived = 0
        self.together = threading.Barrier(parties)
        self.written, self.checked = threading.Event(), threading.Event()
        self.found: list[dict[str, Any]] = []
        self._read, self._write, self._write_tx = store.read, store.write, store._write
        monkeypatch.setattr(store, "read", self.read)
        monkeypatch.setattr(store, "write", self.write)
        monkeypatch.setattr(store, "_write", self.write_tx)
        self.mode = "one_after_another"

    def read(self, events: list[Any]) -> store.Stored:
        stored = self._read(events)
        if self.mode == "checked_during_write" and self.written.is_set():
            with self.lock:  # a loser has checked while the winner's write is open
                self.arrived += 1
                if self.arrived == self.parties - 1:
                    self.checked.set()
        return stored

    def write(self, plan: store.Plan) -> dict[str, Any]:
        if self.mode == "checked_together":
            with self.lock:
                first_pass = self.arrived < self.parties
                self.arrived += 1
            if first_pass:  # every batch has checked; now they all write at once
                self.together.wait(WAIT)
        created = self._write(plan)
        with self.lock:
            self.found.extend(created["found"])
        return created

    def write_tx(self, tx: Any, plan: store.Plan) -> dict[str, Any]:
        created = self._write_tx(tx, plan)
        if self.mode == "checked_during_write" and not self.written.is_set():
            self.written.set()  # written, not committed: the others read and check now
            assert self.checked.wait(WAIT), "the other batches never checked"
        return created

    def run(self, mode: str, send: Callable[[int], dict[str, Any]]) -> list[dict[str, Any]]:
        """send(0) .. send(parties - 1) in `mode`; their answers in that order."""
        self.mode = mode
        if mode == "one_after_another":
            return [send(n) for n in range(self.parties)]
        with ThreadPoolExecutor(max_workers=self.parties) as pool:
            if mode == "checked_together":
                futures = [pool.submit(send, n) for n in range(self.parties)]
            else:
                first = pool.submit(send, 0)
                assert self.written.wait(WAIT), "the first batch never wrote"
                futures = [first] + [pool.submit(send, n) for n in range(1, self.parties)]
            return [f.result(timeout=WAIT) for f in futures]


@pytest.fixture
def interleave(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[int], Interleave]]:
    yield lambda parties: Interleave(monkeypatch, parties)


def outcomes(answers: list[dict[str, Any]]) -> list[str]:
    """Each answer of a one-event batch in a word: accepted, duplicate or the refusal."""
    words = []
    for a in answers:
        assert a["accepted"] + a["duplicates"] + len(a["rejected"]) == 1, a
        words.append("accepted" if a["accepted"] else "duplicate" if a["duplicates"]
                     else a["rejected"][0]["reason"])
    return words


@pytest.mark.parametrize("mode", INTERLEAVINGS)
def test_one_user_registered_under_two_inviters_at_once_refuses_one(client, ids, interleave,
                                                                    mode):
    inviters = [ids("a"), ids("b")]
    post(client, [make_user(i) for i in inviters])
    gate = interleave(2)

    answers = gate.run(mode, lambda n: post(client, [make_user(ids("u"), inviters[n])]))

    words = outcomes(answers)
    assert sorted(words) == ["accepted", "inviter_conflict"]
    winner = inviters[words.index("accepted")]
    loser = answers[words.index("inviter_conflict")]["rejected"][0]
    assert loser["index"] == 0 and f"already bound to inviter {winner}" in loser["detail"]
    stored = client.get(f"/v1/users/{ids('u')}", headers=MALL).json()
    assert stored["invited_by"] == winner
    downline = client.get(f"/v1/users/{winner}/downline", headers=MALL).json()
    assert downline["total"] == 1
    other = inviters[1 - inviters.index(winner)]
    assert client.get(f"/v1/users/{other}/downline", headers=MALL).json()["total"] == 0
    # the clash was found by the write unless the check could see it
    assert len(gate.found) == (0 if mode == "one_after_another" else 1)


@pytest.mark.parametrize("mode", INTERLEAVINGS)
def test_one_order_id_paid_with_six_amounts_at_once_keeps_one(client, ids, interleave, mode):
    post(client, [make_user(ids("a")), make_user(ids("u"), ids("a"))])
    amounts = [1000 * (n + 1) for n in range(6)]
    gate = interleave(len(amounts))

    answers = gate.run(mode, lambda n: post(
        client, [make_order(ids("o"), ids("u"), [("food", amounts[n])])]))

    words = outcomes(answers)
    assert sorted(words) == ["accepted"] + ["conflict"] * 5
    for answer in answers:
        for refusal in answer["rejected"]:
            assert refusal["detail"] == f"order {ids('o')} is already stored with other content"
    assert len(gate.found) == (0 if mode == "one_after_another" else 5)
    # the stored order is the winner's: its inviter earns 10% of the winner's amount
    payouts = client.post(f"/v1/orders/{ids('o')}/payouts", headers=MALL).json()["rebates"]
    assert [r["amount_cents"] for r in payouts] == [amounts[words.index("accepted")] // 10]


@pytest.mark.parametrize("mode", ["checked_together", "checked_during_write"])
def test_the_same_order_sent_three_times_at_once_is_stored_once(client, ids, interleave, mode):
    post(client, [make_user(ids("u"))])
    gate = interleave(3)

    answers = gate.run(mode, lambda n: post(client, [make_order(ids("o"), ids("u"))]))

    assert sorted(outcomes(answers)) == ["accepted", "duplicate", "duplicate"]
    assert [f["same"] for f in gate.found] == [True, True]


@pytest.mark.parametrize("mode", ["checked_together", "checked_during_write"])
def test_one_order_completed_at_two_times_at_once_keeps_one(client, ids, interleave, mode):
    post(client, [make_user(ids("u")), make_order(ids("o"), ids("u"))])
    times = ["2026-03-05T10:00:00+08:00", "2026-03-06T10:00:00+08:00"]
    gate = interleave(2)

    answers = gate.run(mode, lambda n: post(
        client, [{"type": "order_completed", "order_id": ids("o"), "at": times[n]}]))

    words = outcomes(answers)
    assert sorted(words) == ["accepted", "conflict"]
    winner = times[words.index("accepted")].replace("T10", "T02")[:19]
    loser = answers[words.index("conflict")]["rejected"][0]["detail"]
    assert f"already completed at {winner}" in loser
    assert len(gate.found) == 1



def test_an_import_racing_an_api_batch_refuses_its_later_replay_too(client, ids, monkeypatch):
    """The file import checks a chunk against what the chunk before it adds: when that chunk's
    write finds the user registered meanwhile by another batch, the later chunk is checked
    again, so its replay of the refused registration is refused too, not a duplicate."""
    inviters = [ids("a"), ids("b")]
    post(client, [make_user(i) for i in inviters])
    mine = orjson.dumps(make_user(ids("u"), inviters[0]))
    write = store.write

    def api_batch_first(plan: store.Plan) -> dict[str, Any]:
        if not getattr(api_batch_first, "done", False):  # between the chunk's check and write
            api_batch_first.done = True  # type: ignore[attr-defined]
            assert post(client, [make_user(ids("u"), inviters[1])])["accepted"] == 1
        return write(plan)

    monkeypatch.setattr(store, "write", api_batch_first)
    result = ingest_lines([mine, mine], chunk=1, pipelined=True)

    assert result.accepted == 0 and result.duplicates == 0
    assert [(r.index, r.reason) for r in result.rejected] == [(0, "inviter_conflict"),
                                                              (1, "inviter_conflict")]
    assert client.get(f"/v1/users/{ids('u')}", headers=MALL).json()["invited_by"] == inviters[1]
