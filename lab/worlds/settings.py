"""What a generated world holds: `WorldSettings`, and the named settings split into tune and
held-out sets."""

from dataclasses import dataclass, field

# Fraud kinds, named as lab.fraudgen names the same behaviour, with (smallest, largest) ring.
FRAUD_SIZES: dict[str, tuple[int, int]] = {
    "device_farm": (8, 30),
    "self_referral": (2, 3),
    "camouflaged": (5, 20),
    "invite_farm": (10, 40),
    "refund_after_payout": (4, 12),
}
# Benign group kinds the labels list: look-alikes of fraud.
GROUP_KINDS = ("promotion", "household", "nat", "locker", "reseller", "kol")


def _mix(farm: float, self_ref: float, camo: float, invite: float,
         refund: float) -> dict[str, float]:
    return {"device_farm": farm, "self_referral": self_ref, "camouflaged": camo,
            "invite_farm": invite, "refund_after_payout": refund}


@dataclass(frozen=True)
class WorldSettings:
    """The knobs of a world; shares are of accounts unless said otherwise."""

    name: str = "custom"
    # Share of accounts that belong to fraud rings, and how those accounts split by kind.
    fraud_share: float = 0.02
    mix: dict[str, float] = field(default_factory=lambda: _mix(0.25, 0.15, 0.2, 0.25, 0.15))
    # 0..1: how little of a ring's activity runs on its shared devices, cards and addresses,
    # and how far it spreads its sign-ups; at 1 rings embed in NATs and families the most.
    camouflage: float = 0.3
    # Share of people at a campus (dorms) or an office behind NAT; also the share of phones
    # their carrier puts behind carrier-grade NAT (the rest get their own IPv6 addresses).
    nat_share: float = 0.3
    household_share: float = 0.2  # share of accounts living in households of 2-4
    promotion_intensity: float = 0.04  # share of accounts signed up at street/campus promotions
    locker_share: float = 0.15  # share of people who have most parcels sent to a parcel locker
    reseller_share: float = 0.003  # share of accounts that buy for customers
    kols: int = 3  # influencers with hundreds to thousands of invitees each
    old_share: float = 0.4  # share of accounts registered before the eight weeks


NAMED: dict[str, WorldSettings] = {s.name: s for s in (
    WorldSettings(name="baseline"),
    WorldSettings(name="families", fraud_share=0.025, mix=_mix(0.15, 0.4, 0.15, 0.15, 0.15),
                  camouflage=0.4, nat_share=0.2, household_share=0.45,
                  promotion_intensity=0.03, locker_share=0.1, reseller_share=0.002, kols=2),
    WorldSettings(name="sparse_town", fraud_share=0.015, camouflage=0.2, nat_share=0.1,
                  household_share=0.1, promotion_intensity=0.02, locker_share=0.05,
                  reseller_share=0.0, kols=1),
    WorldSettings(name="dense_nat", mix=_mix(0.15, 0.2, 0.45, 0.1, 0.1), camouflage=0.8,
                  nat_share=0.7, household_share=0.2, promotion_intensity=0.05),
    WorldSettings(name="promotion_season", mix=_mix(0.2, 0.2, 0.15, 0.35, 0.1),
                  camouflage=0.4, nat_share=0.4, household_share=0.15,
                  promotion_intensity=0.15, kols=8),
    WorldSettings(name="locker_city", mix=_mix(0.35, 0.2, 0.1, 0.1, 0.25), camouflage=0.5,
                  nat_share=0.25, household_share=0.25, locker_share=0.5,
                  reseller_share=0.012),
    WorldSettings(name="refund_wave", fraud_share=0.02, mix=_mix(0.2, 0.15, 0.15, 0.1, 0.4),
                  camouflage=0.6, nat_share=0.35, household_share=0.3,
                  promotion_intensity=0.06, locker_share=0.2, kols=4),
    WorldSettings(name="low_prevalence", fraud_share=0.006,
                  mix=_mix(0.1, 0.4, 0.3, 0.1, 0.1), camouflage=0.5, nat_share=0.4,
                  household_share=0.3, promotion_intensity=0.08, locker_share=0.2,
                  reseller_share=0.005, kols=5),
)}
# Detection may be tuned on these; results are reported on the held-out ones.
TUNE = ("baseline", "families", "sparse_town")
HELD_OUT = ("dense_nat", "promotion_season", "locker_city", "refund_wave", "low_prevalence")
