"""One settings object for every process, read from TIERGRAPH_* environment variables."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The legal red line: Chinese law treats more than three paid tiers as pyramid selling.
LEGAL_MAX_TIERS = 3
ROLES = ("mall", "risk", "compliance", "admin")


class Settings(BaseSettings):
    """Settings of tiergraph; every field is TIERGRAPH_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="TIERGRAPH_", extra="ignore")

    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: str = "tiergraph-local"
    neo4j_database: str = "neo4j"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # The audit store (graph/audit/seals.py): a Redis server of its own where the audit log is
    # sealed. The URL's account may only append and read; the administrator password is for
    # the store's set-up and `db reset`, not for the API or the workers (development defaults).
    audit_store_url: str = "redis://tiergraph:tiergraph-audit-append@127.0.0.1:6390/0"
    audit_admin_password: str = "tiergraph-development-audit-admin"
    data_dir: Path = Path(".tiergraph")
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    neo4j_heap: str = "1g"
    neo4j_pagecache: str = "1g"
    api_keys: str = ("admin:dev-admin-key,mall:dev-mall-key,risk:dev-risk-key,"
                     "compliance:dev-compliance-key")

    # Development defaults only: deployments set their own. To rotate, move the current
    # key into PII_OLD_KEYS ("k1:secret,..."), set a new PII_KEY and PII_KEY_ID, then run
    # `tiergraph pii rotate-key`. The lookup-hash key is separate and never rotates.
    pii_key: str = "tiergraph-development-pii-key"
    pii_key_id: str = "k1"
    pii_old_keys: str = ""
    pii_hash_key: str = "tiergraph-development-pii-hash-key"
    rate_limit_per_minute: int = Field(default=6000, ge=1)

    max_tiers: int = Field(default=3, ge=1)
    max_total_bp: int = Field(default=3000, ge=0, le=10000)
    return_window_days: int = Field(default=7, ge=0)
    settlement_delay_days: int = Field(default=1, ge=0)
    hold_score: float = Field(default=0.7, ge=0, le=1)

    points_per_yuan: int = Field(default=100, ge=1)  # 100 points buy 1 yuan (100 cents)
    withdraw_min_cents: int = Field(default=100, ge=1)
    withdraw_daily_limit_cents: int = Field(default=500_000, ge=1)
    withdraw_review_cents: int = Field(default=100_000, ge=1)
    gateway_timeout_seconds: float = Field(default=5.0, gt=0)

    max_batch_events: int = Field(default=10_000, ge=1)
    max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    write_batch_size: int = Field(default=2_000, ge=1)
    compute_batch_size: int = Field(default=500, ge=1)
    worker_concurrency: int = Field(default=2, ge=1)  # Celery worker processes

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

    def api_key_roles(self) -> dict[str, str]:
        """Map each bootstrap key of TIERGRAPH_API_KEYS to its role."""
        keys: dict[str, str] = {}
        for part in self.api_keys.split(","):
            part = part.strip()
            if not part:
                continue
            role, sep, key = part.partition(":")
            if not sep or role not in ROLES or not key:
                raise ValueError(f"TIERGRAPH_API_KEYS entry {part!r} is not role:key "
                                 f"with a role of {ROLES}")
            keys[key] = role
        return keys


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache to override)."""
    return Settings()
