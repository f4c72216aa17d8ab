"""The web console (GET /console) in a real browser against the real stack: the risk analyst
confirms a planted ring drawn as a graph and sees its money voided, compliance reads the
tier report's digest, a rebate's path and the audit chain, and two admins approve a
withdrawal under review."""

import re
from pathlib import Path
from typing import Any

import pytest

from tests.api.test_risk import _detect_through_api, _load_demo
from tests.api.test_withdrawals import credited_user, withdraw
from tests.conftest import KEYS, auth
from tests.factories import make_chain, make_order

SECOND_ADMIN = "test-admin-2"
HOSTS = re.compile(r"(?:https?:)?//[a-z0-9.-]+", re.IGNORECASE)
SVG_NAMESPACE = "http://www.w3.org"  # a name for createElementNS, never fetched


def yuan(cents: int) -> str:
    """Cash as the console shows it."""
    sign = "-" if cents < 0 else ""
    return f"{sign}¥{abs(cents) // 100:,}.{abs(cents) % 100:02d}"


@pytest.fixture
def planted_ring(clean_graph: None, client: Any) -> dict[str, Any]:
    """The demo mall with its planted ring, rebates computed and detection run by the
    worker; the open ring sharing most members with the planted one."""
    truth = _load_demo()
    _detect_through_api(client)
    rings = client.get("/v1/risk/rings?min_score=0.7", headers=auth("risk")).json()["rings"]
    assert rings, "no ring at or above the hold score"
    return max(rings, key=lambda r: len(set(r["members"]) & set(truth["members"])))


def test_the_page_and_its_files_come_from_this_server_only(client):
    page = client.get("/console")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    for name in ("default-src", "script-src", "style-src", "connect-src"):
        assert directives[name] == "'self'", (name, policy)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy and "*" not in policy
    # nothing in the page or its own files names another host
    for name in ("console.js", "i18n.js", "console.css"):
        answer = client.get(f"/console/static/{name}")
        assert answer.status_code == 200 and answer.headers["content-security-policy"] == policy
        assert set(HOSTS.findall(answer.text)) <= {SVG_NAMESPACE}, name
    assert HOSTS.findall(page.text) == []
    library = client.get("/console/static/vendor/cytoscape.min.js")  # built by `make console`
    assert library.status_code == 200 and "cytoscape" in library.text[:2000].lower()
    assert library.headers["content-type"].startswith("text/javascript")
    for outside in ("../routes.py", "..%2Froutes.py", "package.json", "nothing.js"):
        assert client.get(f"/console/static/{outside}").status_code == 404, outside
    assert "/console" not in str(client.get("/openapi.json").json()["paths"])


def test_every_string_is_in_both_languages_and_a_bad_key_is_refused(console):
    console.open()
    console.page.wait_for_selector("#signin")
    console.shot("sign-in")
    keys = console.page.evaluate("""async () => {
        const {STRINGS} = await import('/console/static/i18n.js');
        return Object.fromEntries(Object.entries(STRINGS).map(([l, s]) => [l, Object.keys(s)]));
    }""")
    assert set(keys) == {"en", "zh-CN"} and keys["en"] and set(keys["en"]) == set(keys["zh-CN"])
    console.page.fill("#key", "not-a-key")
    console.page.click("#signin button[type=submit]")
    console.page.wait_for_selector("#signin-message .error")
    assert "not valid" in console.page.inner_text("#signin-message")
    console.page.click("#lang")
    assert console.page.inner_text("#signin h2") == "登录"
    assert console.page.evaluate("document.documentElement.lang") == "zh-CN"
    assert console.page.evaluate("sessionStorage.getItem('tiergraph.console.key')") is None


def test_risk_draws_the_planted_ring_and_confirms_it(console, client, planted_ring):
    ring_id = planted_ring["ring_id"]
    detail = client.get(f"/v1/risk/rings/{ring_id}", headers=auth("risk")).json()
    held = detail["held"]["cash"]["cents"]
    assert held > 0

    console.sign_in(KEYS["risk"])
    page = console.page
    row = page.locator("#ring-list tr", has=page.locator(f"a[href='#/ring/{ring_id}']"))
    row.wait_for()
    told = planted_ring["money"]  # the queue's cash of the ring: held, credited, withdrawn
    assert told["held_cents"] == held
    page.wait_for_selector(f"[data-ring-money='held-{ring_id}'][data-loaded]")
    for name in ("held", "credited", "withdrawn"):
        shown = page.inner_text(f"[data-ring-money='{name}-{ring_id}']")
        assert shown == yuan(told[f"{name}_cents"]), name
    assert "open" in row.inner_text()
    assert session_key(page) == KEYS["risk"]
    console.shot("ring-queue")

    page.click(f"a[href='#/ring/{ring_id}']")
    page.wait_for_selector("#graph[data-nodes]")  # drawn and laid out
    drawn = page.evaluate("""() => { const g = window.tiergraphConsole.graph;
        return {nodes: g.nodes().length, edges: g.edges().length,
                members: g.nodes('[member = "yes"]').map(n => n.data('user_id')).sort(),
                ids: g.nodes().map(n => n.id())}; }""")
    subgraph = detail["subgraph"]
    assert drawn["nodes"] == len(subgraph["nodes"]) > len(detail["members"])
    assert drawn["edges"] == len(subgraph["edges"]) > 0
    assert drawn["members"] == sorted(detail["members"])
    assert set(drawn["ids"]) == {n["id"] for n in subgraph["nodes"]}
    assert any(i.startswith(("ip:", "device:", "payment_account:")) for i in drawn["ids"])
    for reason in detail["reasons"]:
        assert reason in page.inner_text("#ring-reasons")
    assert yuan(held) in page.inner_text("#ring-held")
    console.shot("ring")

    page.fill("#decision-note", "farm devices, one payment account")
    page.click("#confirm-ring")
    page.wait_for_selector("#decision-result")
    after = client.get(f"/v1/risk/rings/{ring_id}", headers=auth("risk")).json()
    assert after["status"] == "confirmed" and after["note"] == "farm devices, one payment account"
    assert page.inner_text("[data-money='voided-cash']") == yuan(held)  # nothing was credited
    assert page.inner_text("[data-money='clawed-cash']") == yuan(0)
    assert "cash" not in after["held"]
    assert page.inner_text("#ring-held") == "Nothing held."
    assert page.inner_text("#ring-status-badge") == "confirmed"
    assert page.locator("#confirm-ring").count() == 0
    console.shot("ring-confirmed")
    console.go("#/rings")  # the queue tells the same: nothing held any more
    page.wait_for_selector(f"[data-ring-money='held-{ring_id}'][data-loaded]")
    assert page.inner_text(f"[data-ring-money='held-{ring_id}']") == yuan(0)
    assert "confirmed" in row.inner_text()
    console.go(f"#/ring/{ring_id}")
    page.wait_for_selector("#graph[data-nodes]")

    page.click("#lang")  # the same page in Chinese, drawn again
    page.wait_for_selector("#graph[data-nodes]")
    assert page.inner_text("#ring-status-badge") == "已确认"
    assert page.evaluate("window.tiergraphConsole.graph.nodes().length") == drawn["nodes"]
    console.shot("ring-zh")
    page.click("#lang")

    member = detail["members"][0]
    console.go(f"#/user/{member}")
    page.wait_for_selector("text=Signals")
    page.wait_for_selector(f"a[href='#/ring/{ring_id}']")
    # the risk team reads a user's upline, downline and rebates beside its signals
    page.wait_for_selector("text=users below")  # the downline answered this key
    page.locator("main >> text=Loading…").first.wait_for(state="detached")
    assert "Not visible to this key's role" not in page.inner_text("main")
    console.shot("user")


def session_key(page: Any) -> str | None:
    return page.evaluate("sessionStorage.getItem('tiergraph.console.key')")


def test_compliance_sees_the_report_digest_a_path_and_the_audit_chain(console, client, ids):
    a, b, buyer, order = ids("a"), ids("b"), ids("buyer"), ids("o")
    events = make_chain([a, b, buyer]) + [make_order(order, buyer)]
    assert client.post("/v1/events", headers=auth("mall"), json=events).json()["accepted"] == 4
    rebates = client.post(f"/v1/orders/{order}/payouts", headers=auth("mall")).json()["rebates"]
    rebate = next(r for r in rebates if r["beneficiary"] == a)

    console.sign_in(KEYS["compliance"])
    page = console.page
    page.wait_for_selector("#report-digest")
    shown = page.inner_text("#tier-report")
    current = client.get("/v1/compliance/tier-report", headers=auth("compliance")).json()
    stored = client.get(f"/v1/compliance/tier-reports/{current['report_id']}",
                        headers=auth("compliance")).json()
    assert current["report_id"] in shown and stored["digest"] in shown
    assert re.fullmatch(r"\S{16,}", page.inner_text("#report-digest"))
    page.wait_for_selector(f"td >> text={stored['digest']}")  # in the history too

    page.fill("#rebate-id", rebate["rebate_id"])
    page.click("text=Show the path")
    page.wait_for_selector(".chain")
    assert [h.strip() for h in page.locator(".chain .hop").all_inner_texts()] == [buyer, b, a]
    console.shot("compliance")

    console.page.fill("#csv-from", "2026-03-01")
    console.page.fill("#csv-to", "2026-03-03")
    with page.expect_download() as download:
        page.click("#csv-go")
    exported = Path(download.value.path()).read_text()
    assert download.value.suggested_filename == "rebates-2026-03-01-2026-03-03.csv"
    assert rebate["rebate_id"] in exported and len(exported.splitlines()) > len(rebates)
    page.wait_for_selector("text=Downloaded rebates-2026-03-01-2026-03-03.csv")

    # a saved copy of the stored report verifies; one edited after its digest does not
    saved = client.get(f"/v1/compliance/tier-reports/{current['report_id']}",
                       headers=auth("compliance")).text
    page.fill("#verify-text", saved)
    page.click("#verify-go")
    page.wait_for_selector("#verify-intact.good")
    assert "has the digest this copy claims" in page.inner_text("#verify-stored")
    page.fill("#verify-text", saved.replace('"compliant":true', '"compliant":false'))
    page.click("#verify-go")
    page.wait_for_selector("#verify-intact.bad")

    console.go("#/audit")
    page.wait_for_selector("#audit-state")
    assert "links to the one before it" in page.inner_text("main")
    console.shot("audit")


def test_two_admins_approve_a_withdrawal_under_review(console, browser, console_url, client,
                                                      ids):
    from tests.console.conftest import Console

    user = credited_user(client, ids, 150_000)
    w = ids("w")
    assert withdraw(client, w, user, 100_000).json()["status"] == "pending_review"

    console.sign_in(KEYS["admin"])
    page = console.page
    page.wait_for_selector("#two-person-rule")
    page.wait_for_selector(f"[data-approve='{w}']")
    console.shot("withdrawals")
    page.click(f"[data-approve='{w}']")
    page.wait_for_selector("text=a second admin must approve too")
    assert page.inner_text(f"[data-approvals='{w}']").startswith("1 of 2")
    page.click(f"[data-approve='{w}']")  # the same admin again: refused, shown in place
    page.wait_for_selector("text=different admin")

    other = browser.new_context(locale="en-US")
    try:
        second = Console(other.new_page(), console_url)
        second.sign_in(SECOND_ADMIN)
        second.page.wait_for_selector(f"[data-approve='{w}']")
        second.page.click(f"[data-approve='{w}']")
        # once sent, the row keeps no buttons
        second.page.wait_for_selector(f"[data-approve='{w}']", state="detached")
        assert second.page.inner_text(f"[data-status='{w}']") in ("processing", "completed")
        assert second.problems == [] or all("Failed to load resource" in p
                                            for p in second.problems)
    finally:
        other.close()
    found = client.get(f"/v1/withdrawals/{w}", headers=auth("mall")).json()
    assert found["status"] in ("processing", "completed") and len(found["approvals"]) == 2

    console.go(f"#/user/{user}")  # admin reads every part of a user's page
    page.wait_for_selector("text=Downline")
    page.wait_for_selector("text=Loading…", state="detached")
    assert page.locator("main .error").count() == 0
    assert "0 users below" in page.inner_text("main")


def test_admin_rules_refusals_in_place_what_if_chart_and_ledger(console, client, ids):
    console.sign_in(KEYS["admin"])
    page = console.page
    console.go("#/rules")
    page.wait_for_selector("#rule-form")
    page.wait_for_selector("td >> text=default")
    page.fill("input[name=id]", ids("r"))
    page.fill("input[name=tiers]", "1000,500,200,100")  # beyond the tier cap
    page.click("#rule-create")
    page.wait_for_selector("input[name=tiers].invalid")
    assert "tier" in page.inner_text("[data-error=tiers]").lower()
    assert client.get("/v1/rules", headers=auth("admin")).json()["rules"][0]["id"] != ids("r")
    page.fill("input[name=tiers]", "10x,5")
    page.click("#rule-create")
    assert page.inner_text("[data-error=tiers]") == "a whole number is needed"

    page.fill("input[name=tiers]", "1200,600,300")
    page.fill("input[name=from]", "2026-01-01T00:00:00Z")
    page.fill("input[name=to]", "2026-12-31T00:00:00Z")
    page.click("#rule-simulate")
    page.wait_for_selector("#whatif svg")
    assert page.locator("#whatif rect[data-bar^='draft-']").count() == 3
    assert page.locator("#whatif rect[data-bar^='current-']").count() == 3
    assert "orders replayed" in page.inner_text("#whatif")
    page.fill("input[name=to]", "2025-01-01T00:00:00Z")  # before `from`: refused beside it
    page.click("#rule-simulate")
    page.wait_for_selector("input[name=to].invalid")
    page.fill("input[name=to]", "2026-12-31T00:00:00Z")
    page.click("#rule-simulate")
    page.wait_for_selector("#whatif svg")
    console.shot("rules")

    console.go("#/ledger")
    page.wait_for_selector("#ledger")
    check = client.get("/v1/ledger/check", headers=auth("admin")).json()
    assert ("The ledger checks out." in page.inner_text("#ledger")) == check["ok"]
    console.shot("ledger")
