"""Stored rebate rules: creation (checked, audited in the same transaction), listing,
retiring, the rules in force for a computation and the default rule."""

from datetime import UTC, datetime
from typing import Any

from neo4j import ManagedTransaction
from neo4j.exceptions import ConstraintError

from graph import db
from graph.audit import trail
from graph.errors import DomainError, conflict
from graph.rules.maths import DEFAULT_RULE, Rule, rule_problems, window_problems
from graph.settings import get_settings


def _as_json(rule: dict[str, Any]) -> dict[str, Any]:
    out = dict(rule)
    for key in ("starts_at", "ends_at", "created_at"):
        value = db.to_native(out.get(key))
        out[key] = value.isoformat() if isinstance(value, datetime) else value
    return out


def check_tiers(tiers: list[int]) -> None:
    """Raise a DomainError (tier-limit before rate-limit) if these tiers may not be paid."""
    settings = get_settings()
    problems = rule_problems(tiers, settings.max_tiers, settings.max_total_bp)
    if problems:
        kind = "tier-limit" if any(k == "tier-limit" for k, _ in problems) else "rate-limit"
        raise DomainError(kind, "; ".join(p for _, p in problems),
                          errors=[{"type": k, "msg": m} for k, m in problems])


def check_windows(return_window_days: int | None, settlement_delay_days: int | None,
                  budget_cents: int | None) -> None:
    """Raise a DomainError (validation) if a rule's windows or budget are out of range."""
    problems = window_problems(return_window_days, settlement_delay_days, budget_cents)
    if problems:
        raise DomainError("validation", "; ".join(problems),
                          errors=[{"type": "validation", "msg": m} for m in problems])


def create_rule(rule: dict[str, Any], *, actor: str, role: str,
                request_id: str | None) -> dict[str, Any]:
    """Check and store a rule, with its audit entry in the same transaction. Windows and
    budget are optional (None: the global windows, no budget)."""
    check_tiers(rule["tiers"])
    extra = {k: rule.get(k) for k in ("return_window_days", "settlement_delay_days",
                                      "budget_cents")}
    check_windows(**extra)
    stored = {**rule, **extra, "created_by": actor}

    def work(tx: Any) -> None:
        if db.run(tx, "rules.exists", id=rule["id"])[0]["found"]:
            raise conflict(f"rule {rule['id']!r} exists; rules are never edited "
                                          "in place: create a new one")
        db.run(tx, "rules.create", rule=stored, now=datetime.now(UTC))
        trail.append(tx, actor=actor, role=role, action="rule.create", target=f"rule:{rule['id']}",
                     before=None, after=stored, request_id=request_id)

    try:
        db.write(work)
    except ConstraintError:  # a concurrent creation of the same id won the race
        raise conflict(f"rule {rule['id']!r} exists") from None
    return next(r for r in list_rules() if r["id"] == rule["id"])


def list_rules() -> list[dict[str, Any]]:
    """Every rule, newest first."""
    return [_as_json(r) for r in db.read_query("rules.list")]


def retire_rule(rule_id: str, *, actor: str, role: str, request_id: str | None) -> bool | None:
    """Stop a rule paying new orders (audited with before and after); None if unknown,
    False if it was retired already."""

    def work(tx: Any) -> bool | None:
        rows = db.run(tx, "rules.retire", id=rule_id, now=datetime.now(UTC))
        if not rows:
            return None
        if rows[0]["before"] == "retired":
            return False
        trail.append(tx, actor=actor, role=role, action="rule.retire", target=f"rule:{rule_id}",
                     before={"status": rows[0]["before"]}, after={"status": "retired"},
                     request_id=request_id)
        return True

    return db.write(work)


def load_rules(tx: ManagedTransaction) -> list[Rule]:
    """The rules stored in the graph that are or were in force (retired ones with the time
    they were retired: they still pay orders paid before that), campaigns with what they
    have spent as this transaction sees it (lock them first: rules.lock_budgets)."""
    return [
        Rule(
            id=r["id"],
            tiers=tuple(r["tiers"]),
            kind=r["kind"],
            category=r["category"],
            starts_at=db.to_native(r["starts_at"]),
            ends_at=db.to_native(r["ends_at"]),
            priority=r["priority"] or 0,
            created_at=db.to_native(r["created_at"]),
            level_bonus_bp=r["level_bonus_bp"],
            retired_at=db.to_native(r["retired_at"]),
            return_window_days=r["return_window_days"],
            settlement_delay_days=r["settlement_delay_days"],
            budget_cents=r["budget_cents"],
            spent_cents=r["spent_cents"],
        )
        for r in db.run(tx, "rules.in_force")
    ]


def ensure_default_rule() -> None:
    """Store the default rule at start-up if the graph has none by that id, with as many
    tiers as the cap allows (two under WeChat's platform rules): a rule over the cap would
    put the tier report out of compliance for tiers that are never paid anyway."""
    tiers = list(DEFAULT_RULE.tiers)[: get_settings().max_tiers]
    db.write_query("rules.ensure_default", tiers=tiers, now=datetime.now(UTC))
