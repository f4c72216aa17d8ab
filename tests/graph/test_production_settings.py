"""TIERGRAPH_ENV=production refuses development secrets and malformed settings at start-up,
naming each setting that is wrong and never repeating a secret; secrets are SecretStr."""

import os
import subprocess
import sys

import pytest
from pydantic import SecretStr, ValidationError

from graph import settings as settings_module
from graph.settings import Settings, masked_url

# Settings a production deployment could start on: no development default among them.
PRODUCTION = {
    "TIERGRAPH_ENV": "production",
    "TIERGRAPH_NEO4J_PASSWORD": "n4j-production-secret",
    "TIERGRAPH_REDIS_URL": "redis://:redis-production-secret@10.0.0.5:6379/0",
    "TIERGRAPH_AUDIT_STORE_URL": "redis://tiergraph:audit-append-secret@10.0.0.6:6379/0",
    "TIERGRAPH_AUDIT_ADMIN_PASSWORD": "",  # not given to the API and workers
    "TIERGRAPH_API_KEYS": "admin:0123456789abcdef-admin,mall:0123456789abcdef-mall",
    "TIERGRAPH_PII_KEY": "pii-production-secret",
    "TIERGRAPH_PII_HASH_KEY": "pii-hash-production-secret",
    "TIERGRAPH_ALLOW_FUTURE_AS_OF": "false",
}
# One development value per setting production refuses, and the words that name it.
REFUSED = [
    ("TIERGRAPH_API_KEYS", settings_module.DEV_API_KEYS,
     "TIERGRAPH_API_KEYS holds the development keys of admin, compliance, mall, risk"),
    ("TIERGRAPH_API_KEYS", "admin:dev-admin-key,mall:0123456789abcdef-mall",
     "TIERGRAPH_API_KEYS holds the development keys of admin"),
    ("TIERGRAPH_API_KEYS", "admin:short-admin", "TIERGRAPH_API_KEYS holds a key shorter than 16"),
    ("TIERGRAPH_PII_KEY", settings_module.DEV_PII_KEY, "TIERGRAPH_PII_KEY is the development"),
    ("TIERGRAPH_PII_HASH_KEY", settings_module.DEV_PII_HASH_KEY,
     "TIERGRAPH_PII_HASH_KEY is the development"),
    ("TIERGRAPH_AUDIT_ADMIN_PASSWORD", settings_module.DEV_AUDIT_ADMIN_PASSWORD,
     "TIERGRAPH_AUDIT_ADMIN_PASSWORD is the development"),
    ("TIERGRAPH_AUDIT_STORE_URL", "redis://tiergraph:tiergraph-audit-append@10.0.0.6:6379/0",
     "the password of TIERGRAPH_AUDIT_STORE_URL is the development"),
    ("TIERGRAPH_NEO4J_PASSWORD", settings_module.DEV_NEO4J_PASSWORD,
     "TIERGRAPH_NEO4J_PASSWORD is the development"),
    ("TIERGRAPH_REDIS_URL", "redis://:tiergraph-redis-local@10.0.0.5:6379/0",
     "the password of TIERGRAPH_REDIS_URL is the development"),
    ("TIERGRAPH_BROKER_URL", "redis://:tiergraph-redis-local@10.0.0.7:6379/0",
     "the password of TIERGRAPH_BROKER_URL is the development"),
    ("TIERGRAPH_ALLOW_FUTURE_AS_OF", "true", "TIERGRAPH_ALLOW_FUTURE_AS_OF=true"),
]


@pytest.fixture
def production(monkeypatch):
    for name in [n for n in os.environ if n.startswith("TIERGRAPH_")]:
        monkeypatch.delenv(name)
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)


def test_production_starts_on_its_own_secrets(production):
    settings = Settings()
    assert settings.env == "production"
    assert settings.api_key_roles() == {"0123456789abcdef-admin": "admin",
                                        "0123456789abcdef-mall": "mall"}


@pytest.mark.parametrize(("name", "value", "said"), REFUSED)
def test_production_refuses_each_development_setting_by_name(production, monkeypatch, name,
                                                             value, said):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as refused:
        Settings()
    message = " ".join(str(refused.value).split())
    assert "TIERGRAPH_ENV=production refuses to start" in message and said in message
    assert message.count("development") <= 2  # only the setting changed is named
    for secret in ("dev-admin-key", "tiergraph-development", "tiergraph-local",
                   "tiergraph-audit-append", "tiergraph-redis-local", "short-admin"):
        assert secret not in message


@pytest.mark.parametrize("env", ["development", "production"])
@pytest.mark.parametrize(("keys", "said"), [
    ("admin", "entry 1 (***) is not role:key"),
    ("0123456789abcdef-admin:admin", "entry 1 (***) is not role:key"),
    ("admin:0123456789abcdef-a,boss:0123456789abcdef-b", "entry 2 (***) is not role:key"),
    ("admin:", "entry 1 (admin:***) is not role:key"),
    ("admin:0123456789abcdef-a,mall:0123456789abcdef-a", "entry 2 (mall:***) repeats the key"),
])
def test_malformed_api_keys_are_refused_at_start_without_showing_a_key(
        production, monkeypatch, env, keys, said):
    """In every environment: a malformed list would otherwise fail each request."""
    monkeypatch.setenv("TIERGRAPH_ENV", env)
    monkeypatch.setenv("TIERGRAPH_API_KEYS", keys)
    with pytest.raises(ValidationError) as refused:
        Settings()
    message = str(refused.value)
    assert said in message and "TIERGRAPH_API_KEYS" in message
    assert "0123456789abcdef" not in message


def test_an_unknown_environment_is_refused(production, monkeypatch):
    monkeypatch.setenv("TIERGRAPH_ENV", "prod")
    with pytest.raises(ValidationError, match="development.*production"):
        Settings()


def test_development_starts_on_the_development_defaults(monkeypatch):
    for name in [n for n in os.environ if n.startswith("TIERGRAPH_")]:
        monkeypatch.delenv(name)
    settings = Settings()
    assert settings.env == "development"
    assert settings.api_key_roles()["dev-admin-key"] == "admin"
    assert settings.redis_url == "redis://:tiergraph-redis-local@127.0.0.1:6379/0"


def test_secrets_are_masked_wherever_settings_are_shown(production):
    settings = Settings()
    for field in ("neo4j_password", "audit_admin_password", "api_keys", "pii_key",
                  "pii_old_keys", "pii_hash_key"):
        assert isinstance(getattr(settings, field), SecretStr), field
    # The URLs stay plain text for the Redis and Celery libraries, shown with *** for the
    # password; the other secrets are SecretStr everywhere, JSON included.
    shown = repr(settings) + str(settings)
    dumped = settings.model_dump_json()
    for secret in ("n4j-production-secret", "0123456789abcdef", "pii-production-secret"):
        assert secret not in dumped, secret
    for secret in ("n4j-production-secret", "redis-production-secret", "audit-append-secret",
                   "0123456789abcdef", "pii-production-secret", "pii-hash-production-secret"):
        assert secret not in shown, secret
    assert "redis://:***@10.0.0.5:6379/0" in repr(settings)
    assert masked_url("redis://10.0.0.5:6379/0") == "redis://10.0.0.5:6379/0"


@pytest.mark.parametrize(("name", "argv"), [
    ("api", ["-m", "uvicorn", "api.main:app", "--port", "8999"]),
    ("worker", ["-m", "celery", "-A", "workers.app", "worker", "--concurrency", "1"]),
    ("beat", ["-m", "celery", "-A", "workers.app", "beat"]),
    ("cli", ["-m", "cli.main", "report", "tiers"]),
])
def test_each_process_refuses_development_secrets_in_production(name, argv):
    """The API server, the Celery worker and beat, and a command touching data each stop at
    start-up, before they reach a database, naming the settings (and no secret)."""
    env = {**os.environ, **PRODUCTION, "TIERGRAPH_PII_KEY": settings_module.DEV_PII_KEY,
           "TIERGRAPH_ALLOW_FUTURE_AS_OF": "true"}
    run = subprocess.run([sys.executable, *argv], env=env, capture_output=True, text=True,
                         timeout=120)
    output = " ".join((run.stdout + run.stderr).split())  # the console wraps long lines
    assert run.returncode != 0, (name, output[-2000:])
    assert "TIERGRAPH_ENV=production refuses to start" in output, (name, output[-3000:])
    assert "TIERGRAPH_PII_KEY is the development default" in output
    assert "TIERGRAPH_ALLOW_FUTURE_AS_OF=true" in output
    assert settings_module.DEV_PII_KEY not in output
    assert "redis-production-secret" not in output
