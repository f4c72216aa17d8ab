"""One settings object for every process, read from TIERGRAPH_* environment variables."""

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlparse

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The legal red line: Chinese law treats more than three paid tiers as pyramid selling.
LEGAL_MAX_TIERS = 3
ROLES = ("mall", "risk", "compliance", "admin")
# The development secrets: the defaults below, for a laptop or a trial. A process with
# TIERGRAPH_ENV=production refuses to start on any of them (production_problems).
DEV_NEO4J_PASSWORD = "tiergraph-local"
DEV_REDIS_PASSWORD = "tiergraph-redis-local"
DEV_AUDIT_APP_PASSWORD = "tiergraph-audit-append"
DEV_AUDIT_ADMIN_PASSWORD = "tiergraph-development-audit-admin"
DEV_API_KEYS = ("admin:dev-admin-key,mall:dev-mall-key,risk:dev-risk-key,"
                "compliance:dev-compliance-key")
DEV_PII_KEY = "tiergraph-development-pii-key"
DEV_PII_HASH_KEY = "tiergraph-development-pii-hash-key"
MIN_PRODUCTION_KEY_LENGTH = 16  # a bootstrap API key shorter than this is guessable
URL_FIELDS = ("redis_url", "broker_url", "audit_store_url")  # URLs that may carry a password


def masked_url(url: str) -> str:
    """`url` with its password shown as `***` (for logs and messages)."""
    parts = urlparse(url)
    if not parts.password:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{user}:***@{host}").geturl()


def url_password(url: str) -> str | None:
    """The password a URL carries (`redis://:pw@host:port/0`), else None."""
    password = urlparse(url).password
    return unquote(password) if password else None


class Settings(BaseSettings):
    """Settings of tiergraph; every field is TIERGRAPH_<NAME> in the environment."""

    # hide_input_in_errors: a refused setting's message never repeats the secrets given.
    model_config = SettingsConfigDict(env_prefix="TIERGRAPH_", extra="ignore",
                                      hide_input_in_errors=True)

    # `production` refuses development secrets and malformed settings at start-up.
    env: Literal["development", "production"] = "development"
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr(DEV_NEO4J_PASSWORD)
    neo4j_database: str = "neo4j"
    # The task queue's Redis; a password in the URL (redis://:pw@host:port/0) is the one the
    # local stack's redis-server requires. A URL without one still works (no password).
    redis_url: str = f"redis://:{DEV_REDIS_PASSWORD}@127.0.0.1:6379/0"
    # The task queue's broker when it is not that Redis: a Redis of its own for the tasks
    # (the jobs, locks, rate limits and caches stay on TIERGRAPH_REDIS_URL).
    broker_url: str | None = None
    # The audit store (graph/audit/seals.py): a Redis server of its own where the audit log is
    # sealed. The URL's account may only append and read; the administrator password is for
    # the store's set-up and `db reset`, not for the API or the workers (development defaults).
    audit_store_url: str = f"redis://tiergraph:{DEV_AUDIT_APP_PASSWORD}@127.0.0.1:6390/0"
    audit_admin_password: SecretStr = SecretStr(DEV_AUDIT_ADMIN_PASSWORD)
    data_dir: Path = Path(".tiergraph")
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    neo4j_heap: str = "1g"
    neo4j_pagecache: str = "1g"
    api_keys: SecretStr = SecretStr(DEV_API_KEYS)

    # Development defaults only: deployments set their own. To rotate, move the current
    # key into PII_OLD_KEYS ("k1:secret,..."), set a new PII_KEY and PII_KEY_ID, then run
    # `tiergraph pii rotate-key`. The lookup-hash key is separate and never rotates.
    pii_key: SecretStr = SecretStr(DEV_PII_KEY)
    pii_key_id: str = "k1"
    pii_old_keys: SecretStr = SecretStr("")
    pii_hash_key: SecretStr = SecretStr(DEV_PII_HASH_KEY)
    rate_limit_per_minute: int = Field(default=6000, ge=1)
    # Per client address, counted before the key is checked (api/ratelimit.py).
    rate_limit_per_address_per_minute: int = Field(default=12_000, ge=1)

    max_tiers: int = Field(default=3, ge=1)
    max_total_bp: int = Field(default=3000, ge=0, le=10000)
    return_window_days: int = Field(default=7, ge=0)
    settlement_delay_days: int = Field(default=1, ge=0)
    hold_score: float = Field(default=0.7, ge=0, le=1)
    # Detection after a large write (0: never): an events batch or an import that wrote this
    # many new events or more starts one run once writes have been quiet for
    # detect_quiet_seconds. Runs are incremental but the first, one asked full, one with
    # another seed or scorer, and one detect_full_every_days after the last full run (0:
    # every run is full).
    detect_after_events: int = Field(default=10_000, ge=0)
    detect_quiet_seconds: int = Field(default=120, ge=0)
    detect_full_every_days: int = Field(default=7, ge=0)
    # Lets POST /v1/settlement/run settle as of a future time: for tests only.
    allow_future_as_of: bool = False

    points_per_yuan: int = Field(default=100, ge=1)  # 100 points buy 1 yuan (100 cents)
    # Points credited more than this many days ago and not spent expire (graph/money/points.py)
    points_expire_days: int = Field(default=365, ge=1)
    withdraw_min_cents: int = Field(default=100, ge=1)
    withdraw_daily_limit_cents: int = Field(default=500_000, ge=1)
    withdraw_review_cents: int = Field(default=100_000, ge=1)  # on the user's total of the day
    withdraw_review_expire_days: int = Field(default=7, ge=1)  # then the reserve goes back
    gateway_timeout_seconds: float = Field(default=5.0, gt=0)
    # Webhooks (graph/webhooks/): a URL that is or resolves into loopback, private,
    # link-local or another non-public range is refused unless this is true (a receiver on
    # the mall's own network, a test's). Failed deliveries are retried after
    # webhook_retry_base_seconds, twice as long each time (at most an hour), for 24 hours.
    webhook_allow_private: bool = False
    webhook_retry_base_seconds: float = Field(default=30.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)

    # API processes (uvicorn --workers; 0: one per CPU) and the uplines each keeps in
    # memory (graph/users/invites.py; 0: none kept).
    api_workers: int = Field(default=0, ge=0)
    upline_cache_size: int = Field(default=100_000, ge=0)
    max_batch_events: int = Field(default=10_000, ge=1)
    max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    write_batch_size: int = Field(default=2_000, ge=1)
    compute_batch_size: int = Field(default=500, ge=1)
    worker_concurrency: int = Field(default=2, ge=1)  # Celery worker processes
    # GET /metrics (Prometheus text, no key); false answers it 404 (api/metrics.py)
    metrics: bool = True

    @field_validator("max_tiers")
    @classmethod
    def _tier_cap_within_law(cls, value: int) -> int:
        if value > LEGAL_MAX_TIERS:
            raise ValueError(
                f"TIERGRAPH_MAX_TIERS={value} is refused: rebates deeper than "
                f"{LEGAL_MAX_TIERS} tiers are pyramid selling. "
                "Use 3, or 2 for WeChat's platform rules."
            )
        return value

    @field_validator("api_keys")
    @classmethod
    def _api_keys_well_formed(cls, value: SecretStr) -> SecretStr:
        parse_api_keys(value.get_secret_value())  # refused at start, not at each request
        return value

    @model_validator(mode="after")
    def _production_refuses_development(self) -> "Settings":
        problems = production_problems(self) if self.env == "production" else []
        if problems:
            raise ValueError("TIERGRAPH_ENV=production refuses to start:"
                             + "".join(f"\n  - {problem}" for problem in problems))
        return self

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():  # URLs shown without their password
            yield name, masked_url(value) if name in URL_FIELDS and value else value

    def api_key_roles(self) -> dict[str, str]:
        """Map each bootstrap key of TIERGRAPH_API_KEYS to its role."""
        return parse_api_keys(self.api_keys.get_secret_value())


def parse_api_keys(text: str) -> dict[str, str]:
    """`role:key,role:key,...` as {key: role}; a malformed entry is a ValueError naming
    the entry by its place and role, never by its key."""
    keys: dict[str, str] = {}
    for place, part in enumerate(text.split(","), start=1):
        part = part.strip()
        if not part:
            continue
        role, sep, key = part.partition(":")
        if not sep or role not in ROLES or not key:
            shown = f"{role}:***" if sep and role in ROLES else "***"  # never a key
            raise ValueError(f"TIERGRAPH_API_KEYS entry {place} ({shown}) is not role:key "
                             f"with a role of {ROLES}")
        if keys.get(key, role) != role:
            raise ValueError(f"TIERGRAPH_API_KEYS entry {place} ({role}:***) repeats the key "
                             f"of {keys[key]} under another role")
        keys[key] = role
    return keys



def production_problems(settings: Settings) -> list[str]:
    """What production refuses in these settings, one phrase per setting and no secret
    shown: development secrets, short API keys, a settlement clock a caller can move."""
    roles = settings.api_key_roles()  # well formed: _api_keys_well_formed checked them
    development = sorted(role for key, role in roles.items()
                         if key in parse_api_keys(DEV_API_KEYS))
    problems = ([f"TIERGRAPH_API_KEYS holds the development keys of {', '.join(development)}"]
                if development else [])
    if any(len(key) < MIN_PRODUCTION_KEY_LENGTH for key in roles):
        problems.append(f"TIERGRAPH_API_KEYS holds a key shorter than "
                        f"{MIN_PRODUCTION_KEY_LENGTH} characters")
    development_secrets = [
        ("TIERGRAPH_NEO4J_PASSWORD", settings.neo4j_password.get_secret_value(),
         DEV_NEO4J_PASSWORD),
        ("the password of TIERGRAPH_REDIS_URL", url_password(settings.redis_url),
         DEV_REDIS_PASSWORD),
        ("the password of TIERGRAPH_BROKER_URL", url_password(settings.broker_url or ""),
         DEV_REDIS_PASSWORD),
        ("the password of TIERGRAPH_AUDIT_STORE_URL", url_password(settings.audit_store_url),
         DEV_AUDIT_APP_PASSWORD),
        ("TIERGRAPH_AUDIT_ADMIN_PASSWORD", settings.audit_admin_password.get_secret_value(),
         DEV_AUDIT_ADMIN_PASSWORD),
        ("TIERGRAPH_PII_KEY", settings.pii_key.get_secret_value(), DEV_PII_KEY),
        ("TIERGRAPH_PII_HASH_KEY", settings.pii_hash_key.get_secret_value(), DEV_PII_HASH_KEY),
    ]
    problems += [f"{name} is the development default" for name, value, default
                 in development_secrets if value == default]
    if settings.allow_future_as_of:
        problems.append("TIERGRAPH_ALLOW_FUTURE_AS_OF=true lets a caller settle as of a future "
                        "time (tests only)")
    return problems


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache to override)."""
    return Settings()
