"""The mall's books at a glance: the whole-ledger check, the pool's balance and the
liabilities (what users are owed, bucket by bucket, and what they owe), per kind.

Each kind balances on its own (a movement is of one kind), so per kind the pool, the gateway,
what users are owed and minus what they owe sum to zero; the report says so or says why not.
"""

from datetime import UTC, datetime
from typing import Any

from graph import db
from graph.money import ledger

KINDS = ("cash", "points")


def _kind_totals(rows: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    mine = [r for r in rows if r["kind"] == kind]
    mall = {r["bucket"]: r["owed"] - r["debt"] for r in mine if r["bucket"] in ledger.MALL_BUCKETS}
    users = [r for r in mine if r["bucket"] not in ledger.MALL_BUCKETS]
    owed = {b: 0 for b in ledger.USER_BUCKETS} | {r["bucket"]: r["owed"] for r in users}
    debts = {r["bucket"]: {"cents": r["debt"], "users": r["debtors"]} for r in users if r["debt"]}
    totals = {
        # The pool pays rebates and conversions out (below zero) and takes clawbacks back.
        "pool_cents": mall.get(ledger.POOL, 0),
        # Paid out to users through the payout gateway.
        "gateway_cents": mall.get(ledger.GATEWAY, 0),
        "liabilities": owed,
        "liabilities_total": sum(owed.values()),
        "debts": debts,
        "debt_total": sum(d["cents"] for d in debts.values()),
    }
    totals["balanced"] = (totals["pool_cents"] + totals["gateway_cents"]
                          + totals["liabilities_total"] - totals["debt_total"]) == 0
    return totals


def report() -> dict[str, Any]:
    """The ledger check and, per kind, the pool, the gateway, liabilities and debts;
    `ok` with no `problems` when everything balances and no bucket is wrongly negative."""
    check = ledger.check()
    rows = db.read_query("ledger.bucket_totals", mall_buckets=list(ledger.MALL_BUCKETS))
    kinds = sorted(set(KINDS) | {r["kind"] for r in rows})
    per_kind = {kind: _kind_totals(rows, kind) for kind in kinds}
    problems = []
    if check["total"] != 0:
        problems.append(f"the ledger's entries sum to {check['total']}, not zero")
    if check["unbalanced"]:
        problems.append(f"{check['unbalanced']} movements do not balance")
    if check["negative_buckets"]:
        problems.append(f"{check['negative_buckets']} user buckets other than "
                        f"{ledger.OWING_BUCKET} are below zero")
    problems += [f"{kind}: the pool, the gateway, liabilities and debts do not sum to zero"
                 for kind, totals in per_kind.items() if not totals["balanced"]]
    return {"ok": not problems, "problems": problems, "checked_at": datetime.now(UTC).isoformat(),
            "ledger": check, "kinds": per_kind}
