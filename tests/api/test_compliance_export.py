"""GET /v1/compliance/rebates.csv against the real stack: a period's rebates with their paths,
read page by page, bounds half-open, refused periods and roles."""

import csv
import io

from graph import compliance_export
from graph.ingest.batch import ingest_raw
from graph.money import rebates
from tests.conftest import auth
from tests.factories import make_chain, make_order

COMPLIANCE = auth("compliance")


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_a_period_exports_each_rebate_with_its_path_in_payment_order(client, clean_graph, ids,
                                                                    monkeypatch):
    chain = [ids(f"c{n}") for n in range(4)]
    times = ["2026-03-01T23:59:59+08:00", "2026-03-02T00:00:00+08:00",
             "2026-03-02T09:00:00+08:00", "2026-03-02T09:00:00+08:00",
             "2026-03-03T00:00:00+08:00"]
    orders = [ids(f"o{n}") for n in range(len(times))]
    events = make_chain(chain) + [make_order(o, chain[3], [("home", 10000)], at=at)
                                  for o, at in zip(orders, times, strict=True)]
    assert not ingest_raw(events).rejected
    rebates.compute_rebates(orders)
    monkeypatch.setattr(compliance_export, "ORDERS_PER_READ", 2)  # three reads for the period

    answer = client.get("/v1/compliance/rebates.csv?from=2026-03-01T16:00:00Z"
                        "&to=2026-03-02T16:00:00Z", headers=COMPLIANCE)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="rebates-20260301-20260302.csv"' in answer.headers["content-disposition"]
    rows = _rows(answer.text)
    assert list(rows[0]) == list(compliance_export.COLUMNS)
    # 2026-03-02 in +08:00: the second, third and fourth orders; the first and last are out
    in_period = sorted(orders[1:4], key=lambda o: (times[orders.index(o)], o))
    assert [r["order_id"] for r in rows] == [o for o in in_period for _ in range(3)]
    assert [r["tier"] for r in rows] == ["1", "2", "3"] * 3
    first = rows[0]
    assert first["buyer"] == chain[3] and first["beneficiary"] == chain[2]
    assert first["path"] == f"{chain[3]} > {chain[2]}" and first["amount_cents"] == "1000"
    assert rows[2]["path"] == " > ".join(reversed(chain[:4])) and rows[2]["tier"] == "3"
    paths = {r["rebate_id"]: r["path"] for r in rows}
    for rebate_id, path in paths.items():  # the same path as its certificate
        cert = client.get(f"/v1/compliance/rebates/{rebate_id}/path", headers=COMPLIANCE)
        assert " > ".join(cert.json()["path"]) == path

    empty = client.get("/v1/compliance/rebates.csv?from=2020-01-01&to=2020-02-01",
                       headers=COMPLIANCE)
    assert empty.status_code == 200 and _rows(empty.text) == []


def test_bad_periods_and_other_roles_are_refused(client):
    backwards = client.get("/v1/compliance/rebates.csv?from=2026-03-02&to=2026-03-01",
                           headers=COMPLIANCE)
    assert backwards.status_code == 422
    assert backwards.headers["content-type"] == "application/problem+json"
    long = client.get("/v1/compliance/rebates.csv?from=2024-01-01&to=2026-01-01",
                      headers=COMPLIANCE)
    assert long.status_code == 422 and "366 days" in long.json()["detail"]
    missing = client.get("/v1/compliance/rebates.csv?from=2026-03-01", headers=COMPLIANCE)
    assert missing.status_code == 422
    garbled = client.get("/v1/compliance/rebates.csv?from=yesterday&to=2026-03-01",
                         headers=COMPLIANCE)
    assert garbled.status_code == 422
    mall = client.get("/v1/compliance/rebates.csv?from=2026-03-01&to=2026-03-02",
                      headers=auth("mall"))
    assert mall.status_code == 403


def test_a_cell_a_spreadsheet_would_run_is_written_as_text():
    row = compliance_export.csv_row({
        "rebate_id": "r1", "order_id": "=HYPERLINK(1)", "order_paid_at": "2026-03-02",
        "tier": 1, "kind": "cash", "amount_cents": 100, "original_cents": 100,
        "status": "pending", "reason": None, "beneficiary": "+b", "path": ["@a", "+b"],
        "rule_ids": ["-r"], "created_at": "2026-03-02"})
    assert row[1] == "'=HYPERLINK(1)" and row[9] == "'+b" and row[10] == "'@a"
    assert row[11] == "'@a > +b" and row[12] == "'-r" and row[5] == 100
