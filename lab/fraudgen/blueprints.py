"""Blueprints of a mall before its events are written: accounts, planted rings, shared places."""

from dataclasses import dataclass, field


@dataclass(slots=True)
class User:
    """A blueprint of one account: when it registered, who invited it, what it uses."""

    reg: int
    inviter: int = -1  # index of the inviter in the blueprint list, -1 for none
    kind: str = ""  # "" benign, "kol" super-inviter, else the fraud kind
    household: int = -1
    org: int = -1
    uid: str = ""


@dataclass(slots=True)
class Ring:
    """A planted ring: its kind, members (blueprint indices) and shared identifiers."""

    kind: str
    start: int
    members: list[int] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)
    ips: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)


@dataclass(slots=True)
class World:
    """Shared benign infrastructure: NATs, carrier IPs, lockers, households."""

    orgs: list[list[int]] = field(default_factory=list)  # member indices per org
    org_ips: list[list[str]] = field(default_factory=list)
    households: list[list[int]] = field(default_factory=list)
    family_card: dict[int, bool] = field(default_factory=dict)
    carriers: int = 0
    lockers: int = 0


def ipv4(prefix: int, n: int) -> str:
    """A distinct IPv4 address per (prefix, n) for n below 2**24."""
    return f"{prefix}.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
