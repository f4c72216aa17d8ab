"""How well ring detection does against planted labels (pure: no database).

`evaluate` compares, per method, predicted rings (member lists; pass those at or above the
hold score) with the labels of `lab.fraudgen`:

- ring level: a predicted ring matches a true one when their Jaccard overlap is above 0.5,
  one to one, best overlap first. Each predicted ring is attributed to the true ring it
  shares most members with (so to its kind and size band), or to nothing (benign).
  Precision of a kind = matched / predicted rings attributed to it; recall = matched / true
  rings of it; the `all` row counts every prediction, benign ones included.
- member level: flagged users (members of any predicted ring) against fraudulent users.
- payouts: the default rule's rebates (tiers 1..3 along the invite chain, basis points of
  the order amount floored to the cent; refunds before the credit time lower it, later ones
  do not: that money went out). A rebate is held when its buyer is flagged. Benign payouts
  held are reported overall and for buyers in households and behind NAT IPs, and for the
  super-inviters' own earnings. Fraudulent rebate value is held in time when the buyer was
  flagged by a detection snapshot taken at or before the rebate's credit time
  (paid + return window + settlement delay).
- honest users flagged: flagged users in no true ring, over the registered users in none.
- false rings: each predicted ring that matches no true ring gets one cause: `ring_part`
  when at least half of its members are fraudulent (a ring found too small or too big),
  else the kind of the labelled benign group (`groups`, e.g. household, promotion) holding
  most of its members (ties: the smaller group, then FALSE_RING_KINDS order), else `other`.

Counts add up across seeds (`MethodReport.merge`), so several malls give micro-averages.
"""

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.risk.projection import Projection, epoch, projection_from_events
from graph.risk.ring_ids import jaccard
from graph.rules.maths import DEFAULT_RULE
from graph.settings import Settings

# The product's default return window and settlement delay (TIERGRAPH_* unset).
RETURN_WINDOW_DAYS: int = Settings.model_fields["return_window_days"].default
SETTLEMENT_DELAY_DAYS: int = Settings.model_fields["settlement_delay_days"].default
BANDS = ((2, 3), (4, 9), (10, 19), (20, 10**9))
PAYOUT_GROUPS = ("benign", "household", "nat", "super_inviter", "fraud_in_time", "fraud_final")
# Causes of false rings, most specific first (the order breaks ties).
FALSE_RING_KINDS = ("ring_part", "promotion", "household", "reseller", "locker", "kol", "nat",
                    "other")

Snapshots = list[tuple[float, list[list[str]]]]


def band_of(size: int) -> str:
    """The size band of a ring, e.g. 4-9 or 20+."""
    for lo, hi in BANDS:
        if lo <= size <= hi:
            return f"{lo}+" if hi >= 10**9 else f"{lo}-{hi}"
    return "1"


@dataclass
class Counts:
    """Ring and member counts of one row (a kind, a size band, or all)."""

    true_rings: int = 0
    predicted: int = 0
    matched: int = 0
    true_members: int = 0
    flagged: int = 0
    flagged_true: int = 0

    def add(self, other: "Counts") -> None:
        """Adds another row's counts to this one."""
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def ring_prf(self) -> tuple[float, float, float]:
        """Ring-level precision, recall and F1."""
        return _prf(self.matched, self.predicted, self.true_rings)

    def member_prf(self) -> tuple[float, float, float]:
        """Member-level precision, recall and F1."""
        return _prf(self.flagged_true, self.flagged, self.true_members)


def _prf(hits: int, predicted: int, truth: int) -> tuple[float, float, float]:
    precision = hits / predicted if predicted else 0.0
    recall = hits / truth if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@dataclass
class MethodReport:
    """One method's rows (keys `all`, `kind:<kind>`, `size:<band>`) and payouts held,
    as [held cents, total cents] per group of PAYOUT_GROUPS."""

    rows: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    payouts: dict[str, list[int]] = field(
        default_factory=lambda: {group: [0, 0] for group in PAYOUT_GROUPS})
    honest_users: int = 0  # registered users in no true ring
    false_rings: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def merge(self, other: "MethodReport") -> None:
        """Adds another report (another seed) to this one."""
        for key, counts in other.rows.items():
            self.rows[key].add(counts)
        for group, (held, total) in other.payouts.items():
            self.payouts[group][0] += held
            self.payouts[group][1] += total
        self.honest_users += other.honest_users
        for cause, count in other.false_rings.items():
            self.false_rings[cause] += count

    def honest_flagged(self) -> int:
        """Flagged users who belong to no true ring."""
        everything = self.rows["all"]
        return everything.flagged - everything.flagged_true

    def honest_flagged_share(self) -> float:
        """Honest users flagged over honest users (0 when none are known)."""
        return self.honest_flagged() / self.honest_users if self.honest_users else 0.0

    def recall(self, kind: str) -> float | None:
        """Ring recall of one fraud kind, None when none of that kind was planted."""
        counts = self.rows.get(f"kind:{kind}")
        return counts.ring_prf()[1] if counts and counts.true_rings else None

    def held_share(self, group: str) -> float:
        """Held cents over total cents of a payout group (0 when it has none)."""
        held, total = self.payouts[group]
        return held / total if total else 0.0


@dataclass(frozen=True)
class Rebate:
    """One rebate the default rule pays: who bought, who earns, how much, when credited."""

    buyer: str
    beneficiary: str
    tier: int
    cents: int
    credit_at: float


def rebates(events: Iterable[dict[str, Any]], tiers_bp: tuple[int, ...] = DEFAULT_RULE.tiers,
            return_window_days: int = RETURN_WINDOW_DAYS,
            settlement_delay_days: int = SETTLEMENT_DELAY_DAYS) -> list[Rebate]:
    """The rebates of every paid order along the invite chain (at most len(tiers_bp)
    tiers), on the amount left after refunds made before the credit time."""
    inviter: dict[str, str | None] = {}
    orders: dict[str, tuple[str, int, float]] = {}
    refunds: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for event in events:
        kind = event["type"]
        if kind == "user_registered":
            inviter[event["user_id"]] = event.get("invited_by")
        elif kind == "order_paid":
            paid_at = epoch(event["at"])
            orders[event["order_id"]] = (event["user_id"], event["amount_cents"], paid_at)
        elif kind == "order_refunded":
            refunds[event["order_id"]].append((epoch(event["at"]), event["amount_cents"]))
    delay = (return_window_days + settlement_delay_days) * 86_400
    result = []
    for order_id, (buyer, amount, paid_at) in orders.items():
        credit_at = paid_at + delay
        eligible = amount - sum(c for at, c in refunds.get(order_id, ()) if at <= credit_at)
        upline = inviter.get(buyer)
        for tier, bp in enumerate(tiers_bp, start=1):
            if upline is None or eligible <= 0:
                break
            cents = eligible * bp // 10_000
            if cents:
                result.append(Rebate(buyer, upline, tier, cents, credit_at))
            upline = inviter.get(upline)
    return result


def match_rings(predicted: list[list[str]], truth: list[list[str]]) -> list[tuple[int, int, float]]:
    """(predicted index, true index, Jaccard) pairs with Jaccard > 0.5, one to one, best
    overlap first."""
    holder: dict[str, list[int]] = defaultdict(list)
    for t, members in enumerate(truth):
        for member in members:
            holder[member].append(t)
    candidates = []
    for p, members in enumerate(predicted):
        for t in sorted({t for m in members for t in holder.get(m, ())}):
            overlap = jaccard(members, truth[t])
            if overlap > 0.5:
                candidates.append((-overlap, p, t))
    pairs, used_p, used_t = [], set(), set()
    for negative, p, t in sorted(candidates):
        if p not in used_p and t not in used_t:
            pairs.append((p, t, -negative))
            used_p.add(p)
            used_t.add(t)
    return pairs


def _attribution(members: list[str], ring_of: dict[str, int]) -> int | None:
    """The true ring sharing most members with a predicted one (None: no fraud member)."""
    votes: dict[int, int] = defaultdict(int)
    for member in members:
        if member in ring_of:
            votes[ring_of[member]] += 1
    if not votes:
        return None
    return min(votes, key=lambda t: (-votes[t], t))


def _ring_rows(predicted: list[list[str]], labels: dict[str, Any]) -> dict[str, Counts]:
    truth = [sorted(r["members"]) for r in labels["rings"]]
    keys = [(f"kind:{r['kind']}", f"size:{band_of(len(r['members']))}") for r in labels["rings"]]
    ring_of = {m: t for t, members in enumerate(truth) for m in members}
    rows: dict[str, Counts] = defaultdict(Counts)
    for t, members in enumerate(truth):
        for key in ("all", *keys[t]):
            rows[key].true_rings += 1
            rows[key].true_members += len(members)
    for _, t, _ in match_rings(predicted, truth):
        for key in ("all", *keys[t]):
            rows[key].matched += 1
    flagged_by_key: dict[str, set[str]] = defaultdict(set)
    for members in predicted:
        rows["all"].predicted += 1
        flagged_by_key["all"].update(members)
        owner = _attribution(members, ring_of)
        for key in keys[owner] if owner is not None else ():
            rows[key].predicted += 1
            flagged_by_key[key].update(members)
    for key, flagged in flagged_by_key.items():
        rows[key].flagged = len(flagged)
        rows[key].flagged_true = sum(
            1 for m in flagged if m in ring_of and (key == "all" or key in keys[ring_of[m]]))
    return rows


def false_ring_causes(predicted: list[list[str]], labels: dict[str, Any]) -> dict[int, str]:
    """The cause of each predicted ring matching no true ring, by its index (see the module
    docstring); benign groups are the lists of member lists under labels["groups"]."""
    truth = [r["members"] for r in labels["rings"]]
    fraud = {m for members in truth for m in members}
    matched = {p for p, _, _ in match_rings(predicted, truth)}
    rank = {kind: n for n, kind in enumerate(FALSE_RING_KINDS)}
    holders: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for kind, groups in labels.get("groups", {}).items():
        if not groups or not isinstance(groups[0], list):
            continue  # a flat list (super_inviter) names people, not a group
        for n, members in enumerate(groups):
            for member in members:
                holders[member].append((kind, n))
    causes: dict[int, str] = {}
    for p, members in enumerate(predicted):
        if p in matched:
            continue
        if 2 * sum(1 for m in members if m in fraud) >= len(members):
            causes[p] = "ring_part"
            continue
        votes: dict[tuple[str, int], int] = defaultdict(int)
        for member in members:
            for holder in holders.get(member, ()):
                votes[holder] += 1
        if not votes:
            causes[p] = "other"
            continue
        causes[p] = min(votes, key=lambda h: (-votes[h], len(labels["groups"][h[0]][h[1]]),
                                              rank.get(h[0], len(rank)), h))[0]
    return causes


def _payouts(paid: list[Rebate], labels: dict[str, Any], flagged: set[str],
             flagged_since: dict[str, float]) -> dict[str, list[int]]:
    fraud = {m for r in labels["rings"] for m in r["members"]}
    groups = labels.get("groups", {})
    household = {m for h in groups.get("household", []) for m in h}
    nat = {m for g in groups.get("nat", []) for m in g}
    kols = set(groups.get("super_inviter", []))
    result = {group: [0, 0] for group in PAYOUT_GROUPS}

    def count(group: str, held: bool, cents: int) -> None:
        result[group][0] += cents if held else 0
        result[group][1] += cents

    for r in paid:
        held = r.buyer in flagged
        if r.buyer in fraud:
            count("fraud_final", held, r.cents)
            count("fraud_in_time", flagged_since.get(r.buyer, float("inf")) <= r.credit_at, r.cents)
            continue
        count("benign", held, r.cents)
        if r.buyer in household:
            count("household", held, r.cents)
        if r.buyer in nat:
            count("nat", held, r.cents)
        if r.beneficiary in kols:
            count("super_inviter", held, r.cents)
    return result


def evaluate(events: list[dict[str, Any]], labels: dict[str, Any],
             rings_by_method: dict[str, list[list[str]]],
             snapshots_by_method: dict[str, Snapshots] | None = None,
             tiers_bp: tuple[int, ...] = DEFAULT_RULE.tiers,
             return_window_days: int = RETURN_WINDOW_DAYS,
             settlement_delay_days: int = SETTLEMENT_DELAY_DAYS) -> dict[str, MethodReport]:
    """A report per method: ring and member rows, payouts held (see the module docstring).

    `rings_by_method` holds the final predicted rings (for detect: those at or above the
    hold score); `snapshots_by_method` the (cut-off, rings) of earlier runs, for the
    fraudulent value held before it would have been credited (without snapshots only
    the final run counts, taken at the end of the data)."""
    paid = rebates(events, tiers_bp, return_window_days, settlement_delay_days)
    end = epoch(events[-1]["at"]) if events else 0.0
    fraud = {m for ring in labels["rings"] for m in ring["members"]}
    honest = sum(1 for e in events if e["type"] == "user_registered" and e["user_id"] not in fraud)
    reports = {}
    for method, predicted in rings_by_method.items():
        snapshots = (snapshots_by_method or {}).get(method) or [(end, predicted)]
        flagged_since: dict[str, float] = {}
        for cutoff, rings in sorted(snapshots, key=lambda s: s[0]):
            for members in rings:
                for member in members:
                    flagged_since.setdefault(member, cutoff)
        flagged = {m for members in predicted for m in members}
        report = MethodReport()
        for key, counts in _ring_rows(predicted, labels).items():
            report.rows[key].add(counts)
        report.payouts = _payouts(paid, labels, flagged, flagged_since)
        report.honest_users = honest
        for cause in false_ring_causes(predicted, labels).values():
            report.false_rings[cause] += 1
        reports[method] = report
    return reports


def weekly_cutoffs(events: list[dict[str, Any]], every_days: int = 7) -> list[float]:
    """Cut-off times every `every_days` from the first activity after the oldest
    registrations (the first session or order) to the end of the data, the end included."""
    active = [epoch(e["at"]) for e in events if e["type"] in ("session", "order_paid")]
    if not active:
        return []
    start, end = min(active), max(epoch(e["at"]) for e in events)
    cutoffs, t = [], start + every_days * 86_400
    while t < end:
        cutoffs.append(t)
        t += every_days * 86_400
    return cutoffs + [end]


def snapshot_rings(events: list[dict[str, Any]], cutoffs: list[float],
                   detectors: dict[str, Callable[[Projection], list[list[str]]]]
                   ) -> dict[str, Snapshots]:
    """Per detector, (cut-off, rings) of running it on the projection of the events up to
    each cut-off (`events` sorted by time)."""
    times = [epoch(e["at"]) for e in events]
    result: dict[str, Snapshots] = {name: [] for name in detectors}
    for cutoff in cutoffs:
        projection = projection_from_events(events[:bisect_right(times, cutoff)])
        for name, detector in detectors.items():
            result[name].append((cutoff, detector(projection)))
    return result


def render_table(reports: dict[str, MethodReport]) -> str:
    """Markdown tables: rings and members per row and method, then payouts held."""
    lines = [("| method | row | true rings | predicted | matched | ring P | ring R | ring F1 "
              "| member P | member R | member F1 |"),
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for method, report in reports.items():
        for key in sorted(report.rows, key=_row_order):
            c = report.rows[key]
            rp, rr, rf = c.ring_prf()
            mp, mr, mf = c.member_prf()
            lines.append(f"| {method} | {key} | {c.true_rings} | {c.predicted} | {c.matched} "
                         f"| {rp:.3f} | {rr:.3f} | {rf:.3f} | {mp:.3f} | {mr:.3f} | {mf:.3f} |")
    lines += ["", ("| method | benign held | household | NAT | super-inviter "
                   "| fraud held in time | fraud held at end |"),
              "|---|---:|---:|---:|---:|---:|---:|"]
    for method, report in reports.items():
        shares = [report.held_share(g) for g in PAYOUT_GROUPS]
        lines.append(f"| {method} | " + " | ".join(f"{100 * s:.2f}%" for s in shares) + " |")
    return "\n".join(lines)


def _row_order(key: str) -> tuple[int, str]:
    if key == "all":
        return 0, ""
    if key.startswith("kind:"):
        return 1, key
    lo = int(key.removeprefix("size:").split("-")[0].rstrip("+"))
    return 2, f"{lo:04d}"
