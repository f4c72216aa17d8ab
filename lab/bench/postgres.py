"""What a mall would otherwise run: PostgreSQL with the invite chain as an adjacency list
(queried by WITH RECURSIVE) and as first/second/third leader columns copied onto each user.

A private cluster is started for the benchmark (Debian's server binaries, run as the
`postgres` system user when we are root, because initdb refuses root) and stopped after.
"""

import glob
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

UPLINE_RECURSIVE = """
WITH RECURSIVE up(id, tier) AS (
  SELECT inviter, 1 FROM users WHERE id = %(id)s AND inviter IS NOT NULL
  UNION ALL
  SELECT u.inviter, up.tier + 1 FROM up JOIN users u ON u.id = up.id
  WHERE up.tier < 3 AND u.inviter IS NOT NULL
)
SELECT tier, id FROM up ORDER BY tier
"""
UPLINE_LEADERS = "SELECT first_leader, second_leader, third_leader FROM users WHERE id = %(id)s"
# The peer service's upline (lab/bench/http_peer.py): as UPLINE_RECURSIVE down to %(depth)s
# tiers, with a row of tier 0 when the user exists, so one round trip tells found from
# "no inviter".
UPLINE_FOUND_RECURSIVE = """
WITH RECURSIVE up(id, tier) AS (
  SELECT inviter, 1 FROM users WHERE id = %(id)s AND inviter IS NOT NULL
  UNION ALL
  SELECT u.inviter, up.tier + 1 FROM up JOIN users u ON u.id = up.id
  WHERE up.tier < %(depth)s AND u.inviter IS NOT NULL
)
SELECT tier, id FROM (SELECT 0 AS tier, id FROM users WHERE id = %(id)s
                      UNION ALL SELECT tier, id FROM up) AS found
ORDER BY tier
"""
DOWNLINE_RECURSIVE = """
WITH RECURSIVE down(id, tier) AS (
  SELECT id, 1 FROM users WHERE inviter = %(id)s
  UNION ALL
  SELECT u.id, down.tier + 1 FROM down JOIN users u ON u.inviter = down.id WHERE down.tier < 3
)
SELECT tier, count(*) FROM down GROUP BY tier ORDER BY tier
"""
DOWNLINE_LEADERS = """
SELECT (SELECT count(*) FROM users WHERE first_leader = %(id)s),
       (SELECT count(*) FROM users WHERE second_leader = %(id)s),
       (SELECT count(*) FROM users WHERE third_leader = %(id)s)
"""
BATCH_LEADERS = ("SELECT id, first_leader, second_leader, third_leader FROM users "
                 "WHERE id = ANY(%(ids)s)")
BATCH_RECURSIVE = """
WITH RECURSIVE up(buyer, id, tier) AS (
  SELECT id, inviter, 1 FROM users WHERE id = ANY(%(ids)s) AND inviter IS NOT NULL
  UNION ALL
  SELECT up.buyer, u.inviter, up.tier + 1 FROM up JOIN users u ON u.id = up.id
  WHERE up.tier < 3 AND u.inviter IS NOT NULL
)
SELECT buyer, tier, id FROM up
"""


# The peer's payouts (lab/bench/http_peer.py): the order, then its rebates in tiergraph's
# order (tier, then kind by code point, as Neo4j sorts strings); no rebate row: none earned.
PAYOUTS = """
SELECT o.computed, r.rebate_id, r.beneficiary, r.tier, r.kind, r.amount_cents, r.status, r.reason
FROM orders o LEFT JOIN rebates r ON r.order_id = o.id
WHERE o.id = %(id)s
ORDER BY r.tier, r.kind COLLATE "C"
"""
# The peer's POST /v1/events, in one transaction: which of the batch's users exist, then its
# orders (a known id: a duplicate) and its sessions, each kind in one statement.
KNOWN_USERS = "SELECT id FROM users WHERE id = ANY(%(ids)s)"
INSERT_ORDERS = """
INSERT INTO orders (id, user_id, amount_cents, items, device_id, ip, payment_account,
                    shipping_address, at, computed)
SELECT *, false FROM unnest(%(id)s::text[], %(user_id)s::text[], %(amount_cents)s::bigint[],
                            %(items)s::jsonb[], %(device_id)s::text[], %(ip)s::text[],
                            %(payment_account)s::text[], %(shipping_address)s::text[],
                            %(at)s::timestamptz[])
ON CONFLICT (id) DO NOTHING
RETURNING id
"""
INSERT_SESSIONS = """
INSERT INTO sessions (user_id, device_id, ip, at)
SELECT * FROM unnest(%(user_id)s::text[], %(device_id)s::text[], %(ip)s::text[],
                     %(at)s::timestamptz[])
"""
REBATE_COLUMNS = ("order_id", "rebate_id", "beneficiary", "tier", "kind", "amount_cents",
                  "status", "reason")


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError("PostgreSQL server binaries are missing: apt-get install postgresql")
    return found[-1]


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@contextmanager
def cluster(folder: Path, port: int) -> Iterator[str]:
    """A fresh PostgreSQL cluster on 127.0.0.1:port for the length of the block; yields its DSN."""
    folder = folder.resolve()
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    subprocess.run(_as_postgres([_pg_bin("initdb"), "-D", str(data), "-U", "postgres",
                                 "--auth=trust", "-E", "UTF8"]), check=True,
                   capture_output=True)
    options = (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder}"
               " -c shared_buffers=1GB -c fsync=on -c synchronous_commit=on -c jit=off")
    subprocess.run(_as_postgres([_pg_bin("pg_ctl"), "-D", str(data), "-o", options,
                                 "-l", str(folder / "server.log"), "-w", "start"]),
                   check=True, capture_output=True)
    dsn = f"host=127.0.0.1 port={port} user=postgres dbname=postgres"
    try:
        yield dsn
    finally:
        subprocess.run(_as_postgres([_pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                       capture_output=True)


def load(dsn: str, ids: list[str], inviters: list[int]) -> float:
    """Create and fill `users` (adjacency list plus leader columns, all indexed); seconds."""
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS users")
        conn.execute("CREATE TABLE users (id text PRIMARY KEY, inviter text, first_leader text,"
                     " second_leader text, third_leader text)")
        with conn.cursor().copy("COPY users FROM STDIN") as copy:
            for n, user_id in enumerate(ids):
                up: list[str | None] = []
                k = n
                while len(up) < 3 and inviters[k] >= 0:
                    k = inviters[k]
                    up.append(ids[k])
                up += [None] * (3 - len(up))
                copy.write_row((user_id, up[0], up[0], up[1], up[2]))
        for column in ("inviter", "first_leader", "second_leader", "third_leader"):
            conn.execute(f"CREATE INDEX users_{column} ON users ({column})")
        conn.execute("VACUUM ANALYZE users")
    return time.perf_counter() - started


def create_money_tables(dsn: str) -> None:
    """Create `orders`, `rebates` and `sessions` (empty), as the peer's payouts and events
    use them: orders and sessions reference `users`, indexed by user."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        for table in ("sessions", "rebates", "orders"):
            conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute("CREATE TABLE orders (id text PRIMARY KEY, user_id text NOT NULL "
                     "REFERENCES users, amount_cents bigint NOT NULL, items jsonb, device_id "
                     "text, ip text, payment_account text, shipping_address text, at timestamptz"
                     " NOT NULL, computed boolean NOT NULL)")
        conn.execute("CREATE TABLE rebates (rebate_id text PRIMARY KEY, order_id text NOT NULL "
                     "REFERENCES orders, beneficiary text NOT NULL, tier int NOT NULL, kind text"
                     " NOT NULL, amount_cents bigint NOT NULL, status text NOT NULL, reason "
                     "text)")
        conn.execute("CREATE TABLE sessions (user_id text NOT NULL REFERENCES users, device_id"
                     " text, ip text, at timestamptz NOT NULL)")
        for table, column in (("orders", "user_id"), ("rebates", "order_id"),
                              ("sessions", "user_id")):
            conn.execute(f"CREATE INDEX {table}_{column} ON {table} ({column})")


def load_orders(dsn: str, orders: list[tuple[Any, ...]],
                rebates: list[tuple[Any, ...]]) -> None:
    """Copy computed orders (id, user_id, amount_cents, at) and their rebates (REBATE_COLUMNS)
    into the tables of create_money_tables."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        with conn.cursor().copy("COPY orders (id, user_id, amount_cents, at, computed) "
                                "FROM STDIN") as copy:
            for order in orders:
                copy.write_row((*order, True))
        with conn.cursor().copy(f"COPY rebates ({', '.join(REBATE_COLUMNS)}) FROM STDIN"
                                ) as copy:
            for rebate in rebates:
                copy.write_row(rebate)
        conn.execute("VACUUM ANALYZE orders")
        conn.execute("VACUUM ANALYZE rebates")
