"""Credentials of the local stack: Neo4j's password and the task queue Redis' ACL.

Neo4j runs with auth on. A store starts with the user `neo4j`, password `neo4j`, which
must be changed before it may do anything else; the first start (of a new store, or of a
store made while the stack ran Neo4j with auth off) changes it to TIERGRAPH_NEO4J_PASSWORD
over Bolt, so the password never appears on a command line. Redis requires the password of
TIERGRAPH_REDIS_URL when the URL carries one, and none when it does not.
"""

import hashlib
from collections.abc import Callable
from urllib.parse import unquote, urlparse

from graph.settings import Settings, masked_url, url_password

INITIAL_USER = "neo4j"  # the one user of a new Neo4j store
INITIAL_PASSWORD = "neo4j"  # its password until the first change
EXPIRED = "Neo.ClientError.Security.CredentialsExpired"


class CredentialsError(RuntimeError):
    """The store refuses the configured credentials; the message says what to do."""


def bolt_state(uri: str, user: str, password: str) -> str:
    """How Neo4j answers these credentials: `ok`, `refused` (wrong user or password),
    `expired` (right, but the password must be changed first) or `down` (no answer yet)."""
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, ClientError, DriverError, Neo4jError

    try:
        with GraphDatabase.driver(uri, auth=(user, password), connection_timeout=2,
                                  max_transaction_retry_time=0) as driver:
            driver.execute_query("RETURN 1")  # the home database: answers once it is up
        return "ok"
    except AuthError:
        return "refused"
    except ClientError as error:  # a password to change, or not ready (rate limit, ...)
        return "expired" if error.code == EXPIRED else "down"
    except (Neo4jError, DriverError, OSError):  # not listening, or still starting
        return "down"


def _change_initial_password(uri: str, user: str, password: str) -> None:
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri, auth=(INITIAL_USER, INITIAL_PASSWORD)) as driver:
        driver.execute_query("ALTER CURRENT USER SET PASSWORD FROM $old TO $new",
                             old=INITIAL_PASSWORD, new=password, database_="system")
    if user != INITIAL_USER:  # community edition: every user may do everything
        with GraphDatabase.driver(uri, auth=(INITIAL_USER, password)) as driver:
            driver.execute_query(
                "CREATE USER $user IF NOT EXISTS SET PASSWORD $password CHANGE NOT REQUIRED",
                user=user, password=password, database_="system")


def ensure_neo4j_password(settings: Settings, state: str,
                          say: Callable[[str], None] = print) -> None:
    """Given how our Neo4j answered the configured credentials (`state`, from bolt_state),
    give a store still on its initial password TIERGRAPH_NEO4J_PASSWORD; else say what is
    wrong. start_neo4j calls it for the Neo4j of its own pid file."""
    uri, user = settings.neo4j_uri, settings.neo4j_user
    password = settings.neo4j_password.get_secret_value()
    if state == "ok":
        return
    how = "TIERGRAPH_NEO4J_USER / TIERGRAPH_NEO4J_PASSWORD"
    if state == "refused" and bolt_state(uri, INITIAL_USER, INITIAL_PASSWORD) == "expired":
        say(f"setting the Neo4j password of {user!r} from TIERGRAPH_NEO4J_PASSWORD (a new "
            "store, or one made while the local Neo4j ran with auth off)")
        _change_initial_password(uri, user, password)
        if bolt_state(uri, user, password) == "ok":
            return
    raise CredentialsError(
        f"Neo4j at {uri} refuses {how}: its store was given other credentials. Set them "
        "to the ones it has, or change them in Neo4j (ALTER USER) first")


def redis_acl_lines(url: str) -> list[str]:
    """The ACL lines of a redis.conf for the task queue's Redis at `url`: none without a
    password (no auth, as before); else its user (or `default`) with the password as sha256
    only, and the default user off when the URL names another user."""
    password = url_password(url)
    if password is None:
        return []
    user = unquote(urlparse(url).username or "") or "default"
    digest = "#" + hashlib.sha256(password.encode()).hexdigest()
    lines = [f"user {user} on resetpass {digest} ~* &* +@all"]
    if user != "default":
        lines.insert(0, "user default off nopass resetkeys resetchannels -@all")
    return lines


def redis_open_without(url: str) -> bool:
    """True when `url` carries a password but its Redis answers without one (started before
    the stack gave Redis a password: it takes any password, and so anyone)."""
    import redis

    parts = urlparse(url)
    if not parts.password:
        return False
    bare = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
    try:
        return bool(redis.Redis.from_url(bare, socket_timeout=1, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def open_redis_message(url: str, pid: int | None) -> str:
    """The warning for a Redis that answers without the password its URL carries."""
    which = f"Redis (pid {pid})" if pid else f"Redis at {masked_url(url)}"
    return (f"{which} answers without a password, though TIERGRAPH_REDIS_URL carries one: it "
            "was started before the stack gave Redis a password, and any local user may use "
            "it. Restart it to require the password (tiergraph down, then tiergraph up)")
