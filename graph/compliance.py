"""Compliance evidence: the tier report, computed by Cypher over the whole graph."""

import hashlib
from datetime import UTC, datetime
from typing import Any

import orjson

from graph import db
from graph.settings import LEGAL_MAX_TIERS, get_settings

SAMPLE = 20


def report_digest(report: dict[str, Any]) -> str:
    """sha256 over the report's canonical JSON without its digest: a saved report is
    checked by recomputing this over its own content."""
    body = {k: v for k, v in report.items() if k != "digest"}
    return "sha256:" + hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def tier_report() -> dict[str, Any]:
    """Max tier paid, violations, rules over the cap, cycles, multiple inviters, digest."""
    cap = get_settings().max_tiers

    def work(tx: Any) -> dict[str, Any]:
        return {
            "rebates": db.run(tx, "compliance.rebate_tiers", max_tiers=cap, sample=SAMPLE)[0],
            "rules": db.run(tx, "compliance.rules_over_limit", max_tiers=cap)[0],
            "invites": db.run(tx, "compliance.invite_structure", sample=SAMPLE)[0],
        }

    found = db.read(work)
    rebates, rules, invites = found["rebates"], found["rules"], found["invites"]
    violations = []
    if rebates["over_cap"]:
        violations.append({"code": "tier_over_cap", "count": rebates["over_cap"],
                           "detail": f"rebates paid beyond tier {cap}",
                           "examples": rebates["over_cap_samples"]})
    if rebates["bad_path"]:
        violations.append({"code": "path_mismatch", "count": rebates["bad_path"],
                           "detail": "path certificate does not match the tier or beneficiary",
                           "examples": rebates["bad_path_samples"]})
    report: dict[str, Any] = {
        "max_tiers": cap,
        "legal_max_tiers": LEGAL_MAX_TIERS,
        "max_paid_tier": rebates["max_paid_tier"] or 0,
        "rebates_checked": rebates["rebates_checked"],
        "violations": violations,
        "rules_checked": rules["rules_checked"],
        "rules_over_limit": rules["over"],
        "users_checked": invites["users_checked"],
        "invite_cycles": invites["invite_cycle_users"],
        "invite_cycle_examples": invites["cycle_samples"],
        "multiple_inviters": invites["multiple_inviters"],
        "multiple_inviter_examples": invites["multi_samples"],
        "compliant": not violations and not rules["over"] and not invites["invite_cycle_users"]
        and not invites["multiple_inviters"],
        "generated_at": datetime.now(UTC).isoformat(),
    }
    report["digest"] = report_digest(report)
    return report
