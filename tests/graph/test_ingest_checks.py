"""Checks of a batch against the stored state (pure: the state is built in memory)."""

from typing import get_args

from graph.ingest.checks import CHECKS, Refused, Verdict, check_events
from graph.ingest.events import Event, parse_event
from graph.ingest.store import Plan, Stored
from tests.factories import make_order, make_session, make_user

ACCEPTED, DUPLICATE = Verdict.ACCEPTED, Verdict.DUPLICATE


def make_stored() -> Stored:
    """A graph holding user `a` (no inviter), its order `o1` of 10000 cents, completed,
    with one refund `r1` of 4000 cents."""
    a = parse_event(0, make_user("a"))
    return Stored(
        users={"a": {"id": "a", "fp": a.fingerprint(), "invited_by": None}},
        orders={"o1": {"id": "o1", "fp": "stored", "amount_cents": 10000,
                       "refunded_cents": 4000,
                       "completed_at": "2026-03-20T02:00:00.000000000Z"}},
        refunds={"r1": {"id": "r1", "fp": "stored"}},
        sessions=set(),
    )


def refund(refund_id: str, cents: int, order_id: str = "o1") -> dict:
    return {"type": "order_refunded", "order_id": order_id, "refund_id": refund_id,
            "amount_cents": cents, "at": "2026-03-21T10:00:00+08:00"}


def completion(at: str, order_id: str = "o1") -> dict:
    return {"type": "order_completed", "order_id": order_id, "at": at}


def test_every_event_type_has_its_check():
    assert set(CHECKS) == set(get_args(get_args(Event)[0]))


def test_a_batch_is_checked_in_order_against_the_stored_state_and_its_own_events():
    batch = [
        make_user("a"),                                   # a replay
        make_user("b", "a"),                              # new, under a stored user
        make_user("c", "b"),                              # new, under b from this batch
        make_user("a", "c"),                              # a under its own downline
        make_user("e"),                                   # new, no inviter
        make_user("c", "e"),                              # c already has an inviter
        make_user("b", "a", level=3),                     # same inviter, other details
        make_user("d", "nobody"),
        make_session("c", "dev1", "10.0.0.1"),
        make_session("c", "dev1", "10.0.0.1"),            # the same session again
        make_session("ghost", "dev1", "10.0.0.1"),
        make_order("o2", "c", [("home", 3000)]),
        make_order("o2", "c", [("home", 3001)]),          # same id, other content
        make_order("o3", "ghost"),
        refund("r1", 100),                                # stored with other content
        refund("r2", 5000),
        refund("r3", 1001),                               # 1000 cents are left
        refund("r4", 100, "o404"),
        completion("2026-03-20T10:00:00+08:00"),          # the stored completion, replayed
        completion("2026-03-20T11:00:00+08:00"),
        completion("2026-03-25T10:00:00+08:00", "o2"),
    ]
    events = [(i, parse_event(i, raw)) for i, raw in enumerate(batch)]
    stored, plan = make_stored(), Plan()

    outcomes = [o if isinstance(o, Verdict) else o.reason
                for _, o in check_events(events, stored, plan)]

    assert outcomes == [
        DUPLICATE, ACCEPTED, ACCEPTED, "invite_cycle", ACCEPTED, "inviter_conflict",
        "conflict", "unknown_inviter",
        ACCEPTED, DUPLICATE, "unknown_user",
        ACCEPTED, "conflict", "unknown_user",
        "conflict", ACCEPTED, "refund_exceeds_order", "unknown_order",
        DUPLICATE, "conflict", ACCEPTED,
    ]
    assert [(r["user_id"], r["invited_by"]) for r in plan.users] == [
        ("b", "a"), ("c", "b"), ("e", None)]
    assert [r["order_id"] for r in plan.orders] == ["o2"]
    assert [(r["refund_id"], r["amount_cents"]) for r in plan.refunds] == [("r2", 5000)]
    assert plan.refund_basis == {"o1": 4000}  # as read, for the write to compare under lock
    assert stored.orders["o1"]["refunded_cents"] == 9000
    assert [r["order_id"] for r in plan.completions] == ["o2"]
    assert len(plan.sessions) == 1


def test_a_refusal_says_why():
    events = [(7, parse_event(7, refund("r9", 6001)))]
    assert check_events(events, make_stored(), Plan()) == [
        (7, Refused("refund_exceeds_order",
                    "refund of 6001 cents exceeds the 6000 cents not yet refunded"))]
