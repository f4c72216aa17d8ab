"""Risk against the real services: signals, a detection job run by the worker, holds on the
ledger, stable ring ids, and an analyst's confirm and dismiss."""

import time
from typing import Any

import pytest

from graph import db
from graph.audit import trail
from graph.errors import DomainError
from graph.ingest.batch import ingest_raw
from graph.money import ledger, rebates
from graph.risk import detection, reads
from lab.demo_mall import demo_mall
from tests.conftest import auth
from tests.factories import make_chain, make_order, make_session, make_user


def _load_demo() -> dict[str, Any]:
    events, labels = demo_mall()
    result = ingest_raw(events)
    assert not result.rejected
    order_ids = [e["order_id"] for e in events if e["type"] == "order_paid"]
    rebates.compute_rebates(order_ids)
    return labels["rings"][0]


def _complete_demo_orders() -> None:
    """Every demo order completed on 2026-10-01: their rebates are due for confirmation then
    (a return window counts from when tiergraph received the order: today)."""
    events, _ = demo_mall()
    completions = [{"type": "order_completed", "order_id": e["order_id"],
                    "at": "2026-10-01T00:00:00Z"} for e in events if e["type"] == "order_paid"]
    assert not ingest_raw(completions).rejected


def _wait_for_job(client: Any, job_id: str, timeout: float = 180.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    progress: list[float] = []
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}", headers=auth("risk")).json()
        seen.add(job["status"])
        progress.append(job.get("progress") or 0.0)
        if job["status"] in ("succeeded", "failed"):
            job["seen"], job["progress_seen"] = seen, progress
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")


def _jaccard(a: list[str], b: list[str]) -> float:
    return len(set(a) & set(b)) / len(set(a) | set(b))


def _member_rebates(members: list[str]) -> list[dict[str, Any]]:
    return db.read_query("testing.rebates_of_buyers", user_ids=members)


def _detect_through_api(client: Any) -> dict[str, Any]:
    response = client.post("/v1/risk/detect", json={"seed": 1}, headers=auth("risk"))
    assert response.status_code == 202
    job = _wait_for_job(client, response.json()["job_id"])
    assert job["status"] == "succeeded", job
    assert job["progress"] == 1.0 and job["seen"] <= {"queued", "running", "succeeded"}
    assert all(0.0 <= p <= 1.0 for p in job["progress_seen"])
    assert job["progress_seen"] == sorted(job["progress_seen"])  # progress never goes back
    return job


@pytest.fixture
def planted(clean_graph: None, client: Any) -> dict[str, Any]:
    """The demo mall loaded, rebates computed, one detection run through the worker."""
    ring = _load_demo()
    job = _detect_through_api(client)
    top = client.get("/v1/risk/rings?min_score=0.7", headers=auth("risk")).json()["rings"]
    assert top, "no ring at or above the hold score"
    found = max(top, key=lambda r: _jaccard(r["members"], ring["members"]))
    return {"truth": ring, "ring": found, "job": job}


def test_detection_job_finds_the_planted_ring_and_holds_its_money(client, planted):
    truth, ring = planted["truth"], planted["ring"]
    assert _jaccard(ring["members"], truth["members"]) > 0.5
    assert ring["status"] == "open" and ring["score"] >= 0.7 and ring["reasons"]
    assert planted["job"]["result"]["rings"] >= 1

    detail = client.get(f"/v1/risk/rings/{ring['ring_id']}", headers=auth("risk")).json()
    labels = {n["label"] for n in detail["subgraph"]["nodes"]}
    assert {"User", "Device", "IP", "PaymentAccount", "Address"} <= labels
    assert {e["type"] for e in detail["subgraph"]["edges"]} >= {
        "USED", "SEEN_AT", "PAID_WITH", "SHIPS_TO", "INVITED"}
    node_ids = {n["id"] for n in detail["subgraph"]["nodes"]}
    assert all(e["source"] in node_ids and e["target"] in node_ids
               for e in detail["subgraph"]["edges"])  # ready to draw: no dangling edge
    assert "ip:203.0.113.66" in node_ids and "payment_account:pay-ring" in node_ids
    assert detail["features"] and detail["reasons"] == ring["reasons"]
    ranked = client.get("/v1/risk/rings", headers=auth("risk")).json()["rings"]
    assert [r["score"] for r in ranked] == sorted((r["score"] for r in ranked), reverse=True)

    stored = _member_rebates(ring["members"])
    assert stored and all(r["status"] == "held" and r["reason"] == "risk_hold" for r in stored)
    held_cents = sum(r["amount_cents"] for r in stored)
    assert detail["held"]["cash"]["cents"] == held_cents > 0
    listed = next(r for r in ranked if r["ring_id"] == ring["ring_id"])
    assert listed["money"] == {"held_cents": held_cents, "credited_cents": 0,
                               "withdrawn_cents": 0} == detail["money"]
    # the members' orders drawn, each rebate an edge from its order up to its beneficiary
    drawn = {e["rebate_id"]: e for e in detail["subgraph"]["edges"] if e["type"] == "EARNS"}
    assert {r["rebate_id"] for r in stored} == set(drawn)  # a few orders each: all drawn
    assert all(drawn[r["rebate_id"]]["target"] == f"user:{r['beneficiary']}"
               and drawn[r["rebate_id"]]["amount_cents"] == r["amount_cents"]
               and drawn[r["rebate_id"]]["status"] == "held" for r in stored)
    placed = [e for e in detail["subgraph"]["edges"] if e["type"] == "PLACED"]
    assert {e["source"] for e in placed} <= {f"user:{m}" for m in ring["members"]}
    assert detail["subgraph"]["orders_drawn"] == detail["subgraph"]["orders_placed"] == len(placed)
    # The ledger moved the money: the organiser's held bucket holds its tier-1 rebates.
    organiser = truth["organiser"]
    to_organiser = sum(r["amount_cents"] for r in stored if r["beneficiary"] == organiser)
    assert ledger.balances(organiser)["cash"]["held"] >= to_organiser > 0
    check = ledger.check()
    assert check["total"] == 0 and check["unbalanced"] == 0 and check["negative_buckets"] == 0


def test_an_order_after_detection_is_held_at_birth_and_ids_stay_stable(client, planted):
    ring = planted["ring"]
    buyer = ring["members"][-1]
    client.post("/v1/events", headers=auth("mall"),
                json=[make_order("risk-late-order", buyer, at="2026-10-01T10:00:00+08:00")])
    out = client.post("/v1/orders/risk-late-order/payouts", headers=auth("mall")).json()
    assert out["rebates"] and {r["status"] for r in out["rebates"]} == {"held"}

    again = detection.detect_and_store(seed=1)
    assert again["rings"] >= 1
    ids = {r["ring_id"] for r in reads.list_rings(0.0, 1000, None)}
    assert ring["ring_id"] in ids


def test_a_dismiss_after_a_settlement_run_credits_what_that_run_passed_by(client, planted):
    ring, organiser = planted["ring"], planted["truth"]["organiser"]
    _complete_demo_orders()
    run = client.post("/v1/settlement/run", headers=auth("admin"),
                      json={"as_of": "2026-11-30T00:00:00Z"})
    assert run.status_code == 200 and run.json()["credited"] > 0  # the run credited others
    held = _member_rebates(ring["members"])
    assert held and {r["status"] for r in held} == {"held"}  # ... and passed the ring by
    credited_before = ledger.balances(organiser)["cash"]["credited"]

    response = client.post(f"/v1/risk/rings/{ring['ring_id']}/decision", headers=auth("risk"),
                           json={"decision": "dismiss", "note": "checked: one family"})
    assert response.status_code == 200, response.text
    after = _member_rebates(ring["members"])
    # completed on 2026-10-01, so confirmed, payable and credited by that run had they not
    # been held
    assert {r["status"] for r in after} == {"credited"}
    listed = client.get("/v1/risk/rings", headers=auth("risk")).json()["rings"]
    money = next(r["money"] for r in listed if r["ring_id"] == ring["ring_id"])
    assert money == {"held_cents": 0, "withdrawn_cents": 0,
                     "credited_cents": sum(r["amount_cents"] for r in after)}
    to_organiser = sum(r["amount_cents"] for r in after if r["beneficiary"] == organiser)
    balances = ledger.balances(organiser)["cash"]
    assert balances["credited"] == credited_before + to_organiser and balances["held"] == 0
    check = ledger.check()
    assert check["total"] == 0 and check["unbalanced"] == 0 and check["negative_buckets"] == 0


def test_dismiss_releases_held_rebates_to_where_they_would_be(client, planted):
    ring = planted["ring"]
    before = _member_rebates(ring["members"])
    response = client.post(f"/v1/risk/rings/{ring['ring_id']}/decision", headers=auth("risk"),
                           json={"decision": "dismiss", "note": "family business, checked"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "dismissed" and body["decision"] == "dismiss"
    assert body["decided_by"].startswith("risk:") and body["note"] == "family business, checked"
    assert body["rebates_changed"] == len(before)
    after = _member_rebates(ring["members"])
    # The orders were received today: their return windows are open, so a released rebate is
    # pending again, as it was when held, and nothing is held any more.
    assert after and {(r["status"], r["reason"]) for r in after} == {("pending", None)}
    assert sum(r["amount_cents"] for r in after) == sum(r["amount_cents"] for r in before)
    assert ledger.balances(planted["truth"]["organiser"])["cash"]["held"] == 0
    check = ledger.check()
    assert check["total"] == 0 and check["unbalanced"] == 0 and check["negative_buckets"] == 0
    # A decided ring is not decided twice; the decision is in the audit log.
    again = client.post(f"/v1/risk/rings/{ring['ring_id']}/decision", headers=auth("risk"),
                        json={"decision": "confirm"})
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    entries = client.get("/v1/audit?limit=50", headers=auth("compliance")).json()["entries"]
    assert any(e["action"] == "risk.ring.dismiss" and e["target"] == f"ring:{ring['ring_id']}"
               for e in entries)


def test_confirm_voids_held_and_future_rebates(client, planted):
    ring = planted["ring"]
    held = sum(r["amount_cents"] for r in _member_rebates(ring["members"])
               if r["rebate_id"].endswith(":cash"))
    response = client.post(f"/v1/risk/rings/{ring['ring_id']}/decision", headers=auth("risk"),
                           json={"decision": "confirm", "note": "farm devices"})
    assert response.status_code == 200
    body = response.json()  # nothing was credited yet: no clawback, no debt
    assert (body["voided_cents"], body["clawed_back_cents"], body["debt_cents"]) == (held, 0, 0)
    after = _member_rebates(ring["members"])
    assert after and all(r["status"] == "void" and r["reason"] == "ring_confirmed" for r in after)
    assert ledger.balances(planted["truth"]["organiser"])["cash"]["held"] == 0
    buyer = ring["members"][0]
    client.post("/v1/events", headers=auth("mall"),
                json=[make_order("risk-after-confirm", buyer, at="2026-10-02T10:00:00+08:00")])
    out = client.post("/v1/orders/risk-after-confirm/payouts", headers=auth("mall")).json()
    assert out["rebates"] and all(r["status"] == "void" for r in out["rebates"])
    entries = trail.page(0, 100_000)
    [entry] = [e for e in entries if e["action"] == "risk.ring.confirm"
               and e["target"] == f"ring:{ring['ring_id']}"]
    assert entry["actor"].startswith("risk:") and entry["after"]["note"] == "farm devices"
    check = ledger.check()
    assert check["total"] == 0 and check["unbalanced"] == 0


def test_rings_page_by_score_then_id_without_skipping_ties(client, clean_graph):
    scores = [0.9, 0.8, 0.8, 0.8, 0.75, 0.5, 0.8]
    rings = [{"id": f"ring-page-{n}", "status": "open", "score": score, "features": "{}"}
             for n, score in enumerate(scores)]
    db.write_query("testing.plant_legacy_decided_rings", rings=rings)
    whole = client.get("/v1/risk/rings?min_score=0.6", headers=auth("risk")).json()
    assert whole["next_cursor"] is None
    assert [r["ring_id"] for r in whole["rings"]] == [
        "ring-page-0", "ring-page-1", "ring-page-2", "ring-page-3", "ring-page-6",
        "ring-page-4"]
    paged, cursor = [], None
    while True:
        query = "/v1/risk/rings?min_score=0.6&limit=2" + (f"&cursor={cursor}" if cursor else "")
        answer = client.get(query, headers=auth("risk")).json()
        assert len(answer["rings"]) <= 2
        paged += answer["rings"]
        cursor = answer["next_cursor"]
        if cursor is None:
            break
    assert paged == whole["rings"]
    assert all(r["money"] == {"held_cents": 0, "credited_cents": 0, "withdrawn_cents": 0}
               for r in paged)
    bad = client.get("/v1/risk/rings?cursor=bm90LWEtY3Vyc29y", headers=auth("risk"))
    assert bad.status_code == 422 and bad.json()["reason"] == "invalid_cursor"


def test_unknown_ring_and_job_are_404_problems(client, graph):
    for path in ("/v1/risk/rings/no-such-ring", "/v1/jobs/no-such-job"):
        response = client.get(path, headers=auth("risk"))
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
    response = client.post("/v1/risk/rings/no-such-ring/decision", headers=auth("risk"),
                           json={"decision": "confirm"})
    assert response.status_code == 404
    response = client.post("/v1/risk/rings/x/decision", headers=auth("risk"),
                           json={"decision": "maybe"})
    assert response.status_code == 422


def _self_referral_on_a_farm(client: Any, ids: Any) -> tuple[str, str]:
    """An organiser and a second account of theirs (same phone, payment account and
    address) among ten more accounts on that phone; each orders once. Returns both ids."""
    organiser, second = ids("org"), ids("second")
    farm = [ids(f"farm{n}") for n in range(10)]
    events = [make_user(organiser, at="2026-01-01T10:00:00+08:00"),
              make_user(second, organiser, at="2026-03-01T10:00:00+08:00")]
    events += [make_user(u, organiser, at="2026-03-01T11:00:00+08:00") for u in farm]
    events += [make_session(u, ids("phone"), "198.18.0.9") for u in [organiser, second, *farm]]
    events.append(make_order(ids("o1"), organiser, payment_account=ids("pa"),
                             shipping_address=ids("addr"), at="2026-03-01T12:00:00+08:00"))
    events.append(make_order(ids("o2"), second, payment_account=ids("pa"),
                             shipping_address=ids("addr"), at="2026-03-01T12:30:00+08:00"))
    assert client.post("/v1/events", json=events, headers=auth("mall")).json()["rejected"] == []
    return organiser, second


def test_signals_explain_a_self_referral_on_a_device_farm_and_hold_at_birth(client, ids):
    organiser, second = _self_referral_on_a_farm(client, ids)

    view = client.get(f"/v1/risk/users/{second}", headers=auth("risk")).json()
    codes = {s["code"]: s for s in view["signals"]}
    assert {"device_farm", "self_referral"} <= set(codes)
    assert f"payment_account:{ids('pa')}" in codes["self_referral"]["evidence"]
    assert f"user:{organiser}" in codes["self_referral"]["evidence"]
    assert "12 accounts" in codes["device_farm"]["detail"]
    assert view["score"] >= 0.7
    inviter_view = client.get(f"/v1/risk/users/{organiser}", headers=auth("risk")).json()
    assert "invite_velocity" not in {s["code"] for s in inviter_view["signals"]}  # 11 < 20

    out = client.post(f"/v1/orders/{ids('o2')}/payouts", headers=auth("mall")).json()
    assert [(r["tier"], r["status"]) for r in out["rebates"]] == [(1, "held")]
    assert client.get(f"/v1/risk/users/{ids('nobody')}", headers=auth("risk")).status_code == 404


def test_a_household_alone_is_not_held(client, ids):
    mother, son = ids("mother"), ids("son")
    events = [make_user(mother, at="2026-01-01T10:00:00+08:00"),
              make_user(son, mother, at="2026-02-01T10:00:00+08:00"),
              make_session(mother, ids("tablet"), "198.18.1.1"),
              make_session(son, ids("tablet"), "198.18.1.1"),
              make_order(ids("o"), son, shipping_address=ids("home"), payment_account=ids("card"),
                         at="2026-02-05T10:00:00+08:00")]
    assert client.post("/v1/events", json=events, headers=auth("mall")).json()["rejected"] == []
    view = client.get(f"/v1/risk/users/{son}", headers=auth("risk")).json()
    assert [s["code"] for s in view["signals"]] == ["self_referral"] and view["score"] < 0.7
    out = client.post(f"/v1/orders/{ids('o')}/payouts", headers=auth("mall")).json()
    assert {r["status"] for r in out["rebates"]} == {"pending"}


def test_a_three_deep_chain_of_new_accounts_under_an_organiser_is_a_signal(client, ids):
    organiser = ids("boss")
    chain = [ids("a"), ids("b"), ids("c")]
    events = [make_user(organiser, at="2025-06-01T10:00:00+08:00")]
    events += [{**e, "at": f"2026-03-01T1{n}:00:00+08:00"}
               for n, e in enumerate(make_chain(chain, organiser))]
    assert client.post("/v1/events", json=events, headers=auth("mall")).json()["rejected"] == []
    view = client.get(f"/v1/risk/users/{chain[-1]}", headers=auth("risk")).json()
    signal = next(s for s in view["signals"] if s["code"] == "new_account_chain")
    assert signal["evidence"] == [f"user:{chain[1]}", f"user:{chain[0]}", f"user:{organiser}"]


def test_velocity_order_bursts_and_a_large_first_order_are_read_from_the_graph(client, ids):
    boss, ip = ids("boss"), "198.18.7.7"
    invitees = [ids(f"v{n}") for n in range(21)]
    events = [make_user(boss, at="2025-12-01T10:00:00+08:00")]
    events += [make_user(v, boss, at=f"2026-03-01T10:{n:02d}:00+08:00")
               for n, v in enumerate(invitees)]
    # the first invitee pays 1,500 yuan five minutes after registering; the other twenty
    # order from the same IP within the hour, each on a device of its own
    events.append(make_order(ids("big"), invitees[0], [("phones", 150_000)], ip=ip,
                             device_id=ids("d0"), at="2026-03-01T10:05:00+08:00"))
    events += [make_order(ids(f"o{n}"), v, ip=ip, device_id=ids(f"d{n}"),
                          at=f"2026-03-01T10:{30 + n:02d}:00+08:00")
               for n, v in enumerate(invitees[1:], start=1)]
    assert client.post("/v1/events", json=events, headers=auth("mall")).json()["rejected"] == []

    boss_view = client.get(f"/v1/risk/users/{boss}", headers=auth("risk")).json()
    velocity = next(s for s in boss_view["signals"] if s["code"] == "invite_velocity")
    assert velocity["detail"] == f"{boss} invited 21 accounts within 24 hours"
    assert velocity["evidence"] == [f"user:{v}" for v in invitees]

    view = client.get(f"/v1/risk/users/{invitees[0]}", headers=auth("risk")).json()
    codes = {s["code"]: s for s in view["signals"]}
    assert "orders by 20 other accounts came from IP 198.18.7.7" in codes["ip_burst"]["detail"]
    assert {f"order:{ids(f'o{n}')}" for n in range(1, 21)} <= set(codes["ip_burst"]["evidence"])
    large = codes["new_account_large_order"]
    assert large["evidence"] == [f"order:{ids('big')}"]
    assert "150000 cents came 5 minutes after registering" in large["detail"]


def test_the_graph_projection_equals_the_one_built_from_the_events(clean_graph):
    """Detection quality is measured on projections built from event files; this shows the
    Neo4j projection the detection job reads is the part of the same one it can link (the
    users of shared identifiers, their uplines), and it finds the rings of the whole."""
    from graph.risk.communities import detect
    from graph.risk.projection import linked_part, projection_from_events
    from graph.risk.user_graph import MAX_SHARE
    from lab.fraudgen import generate_mall

    events, labels = generate_mall(1500, seed=5)
    result = ingest_raw(events)
    assert not result.rejected, result.rejected[:3]
    from_graph = detection.load_projection()
    whole = projection_from_events(events)
    from_events = linked_part(whole, MAX_SHARE, 3)
    assert from_graph.users == from_events.users
    assert sorted(from_graph.usages) == sorted(from_events.usages)
    assert sorted(from_graph.orders) == sorted(from_events.orders)
    assert from_graph.shared == from_events.shared
    assert len(from_graph.users) < len(whole.users)
    found = detect(from_graph, seed=3)
    assert [r.members for r in found] == [r.members for r in detect(whole, seed=3)]
    truth = [r["members"] for r in labels["rings"]]
    assert any(_jaccard(r.members, t) > 0.5 for r in found for t in truth)

    # an incremental run also reads the touched users and everyone on their identifiers
    touched = sorted(set(whole.users) - set(from_graph.users))[:50]
    assert touched
    from_graph = detection.load_projection(touched=touched)
    from_events = linked_part(whole, MAX_SHARE, 3, touched)
    assert set(touched) <= set(from_graph.users)
    assert from_graph.users == from_events.users
    assert sorted(from_graph.usages) == sorted(from_events.usages)


def test_an_incremental_run_reads_everyone_on_an_identifier_a_touched_user_took_over_the_limit(
        clean_graph, ids):
    """65 users behind one IP: over MAX_SHARE, so a full run reads none of them. The one who
    came last took it from 64 to 65, so the other 64 lost their edges there: an incremental
    run that names that user reads all of them."""
    from graph.risk.user_graph import MAX_SHARE

    users = [ids(f"nat{n}") for n in range(MAX_SHARE + 1)]
    events = [make_user(u, None, at=f"2026-03-01T10:{n % 60:02d}:00+00:00")
              for n, u in enumerate(users)]
    events += [make_session(u, f"dev-{u}", "100.64.9.9", f"2026-03-02T10:{n % 60:02d}:00+00:00")
               for n, u in enumerate(users)]
    assert not ingest_raw(events).rejected

    assert not set(users) & set(detection.load_projection().users)
    read = detection.load_projection(touched=[users[-1]])
    assert set(users) <= set(read.users)
    assert {u.user_id for u in read.usages if u.ident == "100.64.9.9"} == set(users)


def test_one_detection_run_at_a_time(client, graph):
    from graph import jobs

    guard = jobs.lock("risk.detect")
    assert guard.acquire()
    try:
        with pytest.raises(DomainError) as refused:
            detection.detect_and_store()
        assert refused.value.status == 409
        live = jobs.create("risk.detect", {"seed": 0})
        jobs.update(live["job_id"], status="running")
        answer = client.post("/v1/risk/detect", headers=auth("risk"))
        assert answer.status_code == 202 and answer.json()["job_id"] == live["job_id"]
    finally:
        guard.release()
    # Its lock gone, the "running" job is dead (its worker died): a new run starts.
    answer = client.post("/v1/risk/detect", headers=auth("risk"))
    assert answer.status_code == 202 and answer.json()["job_id"] != live["job_id"]
    assert _wait_for_job(client, answer.json()["job_id"])["status"] == "succeeded"


def test_a_ring_no_longer_found_lapses_and_releases_its_holds(client, planted, monkeypatch):
    from graph.risk import communities, decisions

    ring = planted["ring"]
    # The members' own signals (one card and address among them) held their rebates at
    # birth; an analyst clears each member, so that what stays held is the ring's hold.
    for member in ring["members"]:
        decisions.decide_user(member, "dismiss", "checked one by one", "test:risk", "risk")
    detection.detect_and_store(seed=1)
    before = _member_rebates(ring["members"])
    by_ring = {r["rebate_id"] for r in before if r["hold_by"] == ring["ring_id"]}
    assert before and by_ring == {r["rebate_id"] for r in before}
    # detection.py looks `detect` up on the communities module at each run.
    monkeypatch.setattr(communities, "detect", lambda projection, seed=0, progress=None: [])
    result = detection.detect_and_store(seed=1)
    assert result["lapsed_rings"] >= 1 and result["rebates_released"] == len(by_ring)
    assert reads.get_ring(ring["ring_id"], with_subgraph=False)["status"] == "lapsed"
    after = _member_rebates(ring["members"])
    assert {r["status"] for r in after} == {"pending"}  # received today: window open
    assert ledger.balances(planted["truth"]["organiser"])["cash"]["held"] == 0
    # Members are no longer marked: a new order's rebates are born pending.
    client.post("/v1/events", headers=auth("mall"),
                json=[make_order("risk-after-lapse", ring["members"][0],
                                 at="2026-10-03T10:00:00+08:00")])
    out = client.post("/v1/orders/risk-after-lapse/payouts", headers=auth("mall")).json()
    assert out["rebates"] and {r["status"] for r in out["rebates"]} == {"pending"}
    # No analyst released it: the audit log says which run did and why.
    entries = trail.page(0, 100_000)
    [release] = [e for e in entries if e["action"] == "risk.ring.release"
                 and e["target"] == f"ring:{ring['ring_id']}"]
    assert release["after"]["why"] == "lapsed"
    assert release["after"]["rebates_released"] == result["rebates_released"]
    check = ledger.check()
    assert check["total"] == 0 and check["unbalanced"] == 0 and check["negative_buckets"] == 0


def _decide_user(client: Any, user_id: str, decision: str, note: str) -> dict[str, Any]:
    answer = client.post(f"/v1/risk/users/{user_id}/decision", headers=auth("risk"),
                         json={"decision": decision, "note": note})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _payouts(client: Any, order_id: str) -> list[tuple[int, int, str, str | None]]:
    rows = client.post(f"/v1/orders/{order_id}/payouts", headers=auth("mall")).json()["rebates"]
    return [(r["tier"], r["amount_cents"], r["status"], r["reason"]) for r in rows]


def test_an_analyst_ends_a_signal_hold_with_a_decision_on_the_user(client, ids):
    organiser, second = _self_referral_on_a_farm(client, ids)
    [(tier, cents, status, reason)] = _payouts(client, ids("o2"))
    assert (tier, status, reason) == (1, "held", "risk_hold")
    view = client.get(f"/v1/risk/users/{second}", headers=auth("risk")).json()
    assert view["hold"] == f"signals:{second}" and view["hold_score"] >= 0.7
    # A partial refund while held lowers the rebate and keeps it held for the same reason.
    refund = {"type": "order_refunded", "order_id": ids("o2"), "refund_id": ids("r"),
              "amount_cents": 12900 // 2, "at": "2026-03-02T10:00:00+08:00"}
    assert client.post("/v1/events", json=[refund], headers=auth("mall")).json()["accepted"] == 1
    assert _payouts(client, ids("o2")) == [(1, cents // 2, "held", "risk_hold")]

    dismissed = _decide_user(client, second, "dismiss", "her own second phone, checked")
    assert (dismissed["rebates_changed"], dismissed["cleared"],
            dismissed["hold"]) == (1, True, None)
    # Back where it would be: the order was received today, so its return window is open.
    [(_, amount, status, reason)] = _payouts(client, ids("o2"))
    assert (amount, status, reason) == (cents // 2, "pending", "partial_refund")
    assert ledger.balances(organiser)["cash"]["held"] == 0
    later = [make_order(ids("o3"), second, payment_account=ids("pa"),
                        shipping_address=ids("addr"), at="2026-03-05T10:00:00+08:00")]
    assert client.post("/v1/events", json=later, headers=auth("mall")).json()["accepted"] == 1
    assert [s for _, _, s, _ in _payouts(client, ids("o3"))] == ["pending"]  # not held again

    confirmed = _decide_user(client, second, "confirm", "the same person is farming")
    assert confirmed["rebates_changed"] == 2 and confirmed["hold"] == f"user:{second}"
    for order in ("o2", "o3"):
        states = [(s, r) for _, _, s, r in _payouts(client, ids(order))]
        assert states == [("void", "ring_confirmed")]
    last = [make_order(ids("o4"), second, at="2026-03-06T10:00:00+08:00")]
    assert client.post("/v1/events", json=last, headers=auth("mall")).json()["accepted"] == 1
    assert [(s, r) for _, _, s, r in _payouts(client, ids("o4"))] == [("void", "ring_confirmed")]
    cash = ledger.balances(organiser)["cash"]
    assert (cash["pending"], cash["confirmed"], cash["payable"], cash["held"]) == (0, 0, 0, 0)
    check = ledger.check()
    assert (check["total"], check["unbalanced"], check["negative_buckets"]) == (0, 0, 0)
    entries = trail.page(0, 100_000)
    decided = [(e["action"], e["after"]["note"]) for e in entries
               if e["target"] == f"user:{second}"]
    assert sorted(decided) == [("risk.user.confirm", "the same person is farming"),
                               ("risk.user.dismiss", "her own second phone, checked")]
    missing = client.post(f"/v1/risk/users/{ids('nobody')}/decision", headers=auth("risk"),
                          json={"decision": "confirm"})
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
