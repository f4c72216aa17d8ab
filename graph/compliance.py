"""Compliance evidence: the tier report's checks and its digest.

`verify` checks the whole graph a page at a time: every rebate against the tier cap and its
path certificate, every user for a second inviter and for an invite cycle, every active rule
against the cap. `check_since` checks, by creation time, what the application wrote after a
verified report (rebates, invite edges), up to a bound. graph/compliance_reports.py stores the
reports and composes the current answer from the latest one and what came since.

The two split the graph by creation time: a run counts the rebates created before its
`covers_until` and the users born before it (a user is born when its first invite edge is
created; users with no inviter are the run's), `check_since(covers_until)` those created or
born at or after it, so nothing is counted twice. Rebates and invite edges without a creation
time were written around the application: they count as old, and only a full run sees them.
An invite edge created after a report to a user born before it (a second inviter) is checked
by `check_since` without counting the user again. Invite bindings are permanent, so a rebate
checked once stays as it was checked, unless someone edits the graph directly.
"""

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from graph import db
from graph.settings import LEGAL_MAX_TIERS, get_settings

SAMPLE = 20  # example ids kept per kind of violation
PAGE = 5_000  # ids checked per query of a full run
# A full run checks what was created in this span before it started by creation time, after
# its pages: a rebate's created_at is taken just before its transaction commits, so one
# committing while the run pages by id would otherwise fall between the run and what follows.
RECENT_SPAN = timedelta(minutes=5)
# A catch-up run (carrying a report forward) covers what was created until this long before
# it started, for the same reason; the current answer checks that last stretch itself.
CATCH_UP_MARGIN = timedelta(minutes=1)
END_OF_TIME = "9999-12-31T00:00:00+00:00"

Progress = Callable[[str, float], None]


def report_digest(report: dict[str, Any]) -> str:
    """sha256 over the report's canonical JSON without its digest: a saved report is
    checked by recomputing this over its own content."""
    body = {k: v for k, v in report.items() if k != "digest"}
    return "sha256:" + hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


@dataclass
class Tally:
    """What checks found, added up over pages (and over a report and what came after it)."""

    rebates_checked: int = 0
    team_bonuses_checked: int = 0  # of rebates_checked, the team bonuses
    max_paid_tier: int = 0
    over_cap: int = 0
    over_cap_samples: list[str] = field(default_factory=list)
    bad_path: int = 0
    bad_path_samples: list[str] = field(default_factory=list)
    users_checked: int = 0
    multiple_inviters: int = 0
    multi_samples: list[str] = field(default_factory=list)
    invite_cycles: int = 0
    cycle_samples: list[str] = field(default_factory=list)

    def add_rebates(self, row: dict[str, Any]) -> None:
        """Add a compliance.check_rebates answer."""
        self.rebates_checked += row["rebates_checked"]
        self.team_bonuses_checked += row.get("team_bonuses_checked", 0)
        self.max_paid_tier = max(self.max_paid_tier, row["max_paid_tier"] or 0)
        self.over_cap += row["over_cap"]
        self.over_cap_samples = (self.over_cap_samples + row["over_cap_samples"])[:SAMPLE]
        self.bad_path += row["bad_path"]
        self.bad_path_samples = (self.bad_path_samples + row["bad_path_samples"])[:SAMPLE]

    def add_users(self, row: dict[str, Any]) -> None:
        """Add a compliance.check_users answer."""
        self.users_checked += row["users_checked"]
        self.multiple_inviters += row["multiple_inviters"]
        self.multi_samples = (self.multi_samples + row["multi_samples"])[:SAMPLE]
        self.invite_cycles += row["invite_cycle_users"]
        self.cycle_samples = (self.cycle_samples + row["cycle_samples"])[:SAMPLE]

    def add(self, later: "Tally") -> None:
        """Add what was checked after this tally's report. A user the report already named
        (a second invite edge to a user it found with two) is not counted again; past the
        report's examples that cannot be told, and such a user counts twice."""
        self.add_rebates(later.rebate_row())
        again_multi = set(later.multi_samples) & set(self.multi_samples)
        again_cycle = set(later.cycle_samples) & set(self.cycle_samples)
        self.add_users({
            "users_checked": later.users_checked,
            "multiple_inviters": later.multiple_inviters - len(again_multi),
            "multi_samples": [i for i in later.multi_samples if i not in again_multi],
            "invite_cycle_users": later.invite_cycles - len(again_cycle),
            "cycle_samples": [i for i in later.cycle_samples if i not in again_cycle]})

    def rebate_row(self) -> dict[str, Any]:
        return {"rebates_checked": self.rebates_checked, "max_paid_tier": self.max_paid_tier,
                "team_bonuses_checked": self.team_bonuses_checked,
                "over_cap": self.over_cap, "over_cap_samples": self.over_cap_samples,
                "bad_path": self.bad_path, "bad_path_samples": self.bad_path_samples}

    @classmethod
    def of_report(cls, report: dict[str, Any]) -> "Tally":
        """The tally a stored report was made from."""
        found = {v["code"]: v for v in report["violations"]}
        over, bad = found.get("tier_over_cap"), found.get("path_mismatch")
        return cls(
            rebates_checked=report["rebates_checked"], max_paid_tier=report["max_paid_tier"],
            team_bonuses_checked=report.get("team_bonuses_checked", 0),
            over_cap=over["count"] if over else 0,
            over_cap_samples=list(over["examples"]) if over else [],
            bad_path=bad["count"] if bad else 0,
            bad_path_samples=list(bad["examples"]) if bad else [],
            users_checked=report["users_checked"],
            multiple_inviters=report["multiple_inviters"],
            multi_samples=list(report["multiple_inviter_examples"]),
            invite_cycles=report["invite_cycles"],
            cycle_samples=list(report["invite_cycle_examples"]))


def report_body(tally: Tally, rules: dict[str, Any], cap: int) -> dict[str, Any]:
    """The report's fields (those of GET /v1/compliance/tier-report since the first release)
    from what the checks found and the active rules; without generated_at and digest."""
    violations = []
    if tally.over_cap:
        violations.append({"code": "tier_over_cap", "count": tally.over_cap,
                           "detail": f"rebates paid beyond tier {cap}",
                           "examples": tally.over_cap_samples})
    if tally.bad_path:
        violations.append({"code": "path_mismatch", "count": tally.bad_path,
                           "detail": "path certificate does not match the tier or beneficiary",
                           "examples": tally.bad_path_samples})
    return {
        "max_tiers": cap,
        "legal_max_tiers": LEGAL_MAX_TIERS,
        "max_paid_tier": tally.max_paid_tier,
        "rebates_checked": tally.rebates_checked,
        "violations": violations,
        "rules_checked": rules["rules_checked"],
        "rules_over_limit": rules["over"],
        # team bonuses are checked with the rebates (counted here as well), active team
        # rewards with the rules (one over the cap is `team_reward:<id>` in rules_over_limit)
        "team_bonuses_checked": tally.team_bonuses_checked,
        "team_rewards_checked": rules["team_rewards_checked"],
        "users_checked": tally.users_checked,
        "invite_cycles": tally.invite_cycles,
        "invite_cycle_examples": tally.cycle_samples,
        "multiple_inviters": tally.multiple_inviters,
        "multiple_inviter_examples": tally.multi_samples,
        "compliant": not violations and not rules["over"] and not tally.invite_cycles
        and not tally.multiple_inviters,
    }


def rules_over_limit(cap: int) -> dict[str, Any]:
    """Active rules, and the ids of those configuring more tiers than `cap` (a few nodes:
    checked live on every answer)."""
    return db.read_query("compliance.rules_over_limit", max_tiers=cap)[0]


def graph_size() -> dict[str, int]:
    """{"rebates", "users"} in the graph, from Neo4j's count store."""
    return db.read_query("compliance.graph_size")[0]


def _check_rebates(ids: list[str], cap: int) -> dict[str, Any]:
    return db.read_query("compliance.check_rebates", ids=ids, max_tiers=cap, sample=SAMPLE)[0]


def _check_users(ids: list[str], born_from: str | None = None,
                 born_only: bool = False) -> dict[str, Any]:
    return db.read_query("compliance.check_users", ids=ids, sample=SAMPLE, born_from=born_from,
                         born_only=born_only)[0]


def _pages(query: str, **params: Any) -> Iterator[list[str]]:
    """The ids of a full run's page query, PAGE at a time, by id."""
    after = ""
    while True:
        ids = [row["id"] for row in db.read_query(query, after=after, limit=PAGE, **params)]
        if ids:
            yield ids
        if len(ids) < PAGE:
            return
        after = ids[-1]


def _created(query: str, since: str, until: str) -> Iterator[list[dict[str, Any]]]:
    """The rows {id, at} a `*_since` query finds created in [since, until), PAGE at a time,
    oldest first (keyset on creation time and id)."""
    after_at, after_id = since, None
    while True:
        rows = db.read_query(query, since=after_at, until=until, after_id=after_id, limit=PAGE)
        if rows:
            yield rows
        if len(rows) < PAGE:
            return
        after_at, after_id = rows[-1]["at"], rows[-1]["id"]


def _check_created(tally: Tally, since: str, until: str, born_only: bool,
                   tell: Callable[[str], None]) -> None:
    """Check the rebates and the invitees of invite edges created in [since, until) into
    `tally`; users born before `since` are checked again without being counted again, or
    left out with `born_only`. `tell(at)` hears how far it got."""
    cap = get_settings().max_tiers
    for rows in _created("compliance.rebates_since", since, until):
        tally.add_rebates(_check_rebates([row["id"] for row in rows], cap))
        tell(rows[-1]["at"])
    seen: set[str] = set()  # a user given two invite edges in the span is checked once
    for rows in _created("compliance.invitees_since", since, until):
        fresh = [i for i in dict.fromkeys(row["id"] for row in rows) if i not in seen]
        seen.update(fresh)
        tally.add_users(_check_users(fresh, born_from=since, born_only=born_only))
        tell(rows[-1]["at"])


def verify(progress: Progress | None = None) -> dict[str, Any]:
    """Check the whole graph a page at a time; the report (with `started_at` and
    `covers_until`, the instant it covers what was created before, and its digest).
    `progress(stage, fraction)` is told along the way."""
    tell = progress or (lambda stage, fraction: None)
    cap = get_settings().max_tiers
    started = datetime.now(UTC)
    recent = (started - RECENT_SPAN).isoformat()
    size = graph_size()
    total, done = max(1, size["rebates"] + size["users"]), 0
    tally = Tally()
    tell("rebates", 0.0)
    for ids in _pages("compliance.rebate_page", before=recent):
        tally.add_rebates(_check_rebates(ids, cap))
        done += len(ids)
        tell("rebates", min(0.99, done / total))
    for ids in _pages("compliance.user_page", born_before=recent):
        tally.add_users(_check_users(ids))
        done += len(ids)
        tell("users", min(0.99, done / total))
    # Last, what was created just before the start, by creation time: transactions still in
    # flight when the run started have committed by now.
    tell("recent", min(0.99, done / total))
    _check_created(tally, recent, started.isoformat(), True, lambda at: None)
    return _report(tally, cap, "full", None, started, started)


def catch_up(base: dict[str, Any], progress: Progress | None = None) -> dict[str, Any] | None:
    """The stored report `base` carried forward: what was created from its covers_until
    until CATCH_UP_MARGIN ago checked and added to it (a report of kind `catch_up`, based on
    `base`); None when there is less than that to cover."""
    tell = progress or (lambda stage, fraction: None)
    started = datetime.now(UTC)
    since, until = instant(base["covers_until"]), started - CATCH_UP_MARGIN
    if until <= since:
        return None
    span = (until - since).total_seconds()
    tally, later = Tally.of_report(base), Tally()
    tell("since", 0.0)
    _check_created(later, since.isoformat(), until.isoformat(), False, lambda at: tell(
        "since", min(0.99, (instant(at) - since).total_seconds() / span)))
    tally.add(later)
    return _report(tally, get_settings().max_tiers, "catch_up", base["report_id"], started,
                   until)


def _report(tally: Tally, cap: int, kind: str, based_on: str | None, started: datetime,
            covers_until: datetime) -> dict[str, Any]:
    report = {**report_body(tally, rules_over_limit(cap), cap), "kind": kind,
              "based_on": based_on, "started_at": started.isoformat(),
              "covers_until": covers_until.isoformat(),
              "generated_at": datetime.now(UTC).isoformat()}
    report["digest"] = report_digest(report)
    return report


@dataclass
class Since:
    """What `check_since` found: the tally, how far it covers and what it left unchecked."""

    tally: Tally
    covers_until: str
    pending_rebates: int
    pending_invites: int
    rows: int  # rebates and invite edges it checked


def check_since(since: str, limit: int, pending_cap: int) -> Since:
    """Check the rebates and invite edges created at or after `since`, the oldest `limit` of
    each. What is left is counted (up to `pending_cap` each), and `covers_until` is then the
    creation time of the first left: everything created before it is checked."""
    cap = get_settings().max_tiers
    now = datetime.now(UTC).isoformat()
    tally, frontier, pending, seen = Tally(), [], {}, 0
    for kind, query in (("rebates", "rebates_since"), ("invites", "invitees_since")):
        rows = db.read_query(f"compliance.{query}", since=since, until=END_OF_TIME,
                             after_id=None, limit=limit + 1)
        checked, rest = rows[:limit], rows[limit:]
        seen += len(checked)
        ids = list(dict.fromkeys(row["id"] for row in checked))
        if ids and kind == "rebates":
            tally.add_rebates(_check_rebates(ids, cap))
        elif ids:  # users born before `since` are checked again, not counted again
            tally.add_users(_check_users(ids, born_from=since))
        pending[kind] = 0
        if rest:
            last = checked[-1]
            pending[kind] = db.read_query(f"compliance.pending_{kind}", since=last["at"],
                                          after_id=last["id"], cap=pending_cap)[0]["pending"]
            frontier.append(rest[0]["at"])
    covers = min(instant(at) for at in frontier).isoformat() if frontier else now
    return Since(tally, covers, pending["rebates"], pending["invites"], seen)


def instant(text: str) -> datetime:
    """An ISO time from Python or Neo4j (`Z`, up to nine digits of fraction) as a datetime."""
    text = text.replace("Z", "+00:00")
    head, dot, rest = text.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{head}.{rest[:min(digits, 6)]}{rest[digits:]}"
    return datetime.fromisoformat(text)


def tier_report() -> dict[str, Any]:
    """The whole graph verified now (not stored): max tier paid, violations, rules over the
    cap, cycles, multiple inviters, digest. `tiergraph report tiers` prints it."""
    return verify()
