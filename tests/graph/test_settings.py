"""Settings refuse a tier cap above the legal three at start-up."""

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from graph.settings import Settings


def test_tier_cap_above_three_is_refused(monkeypatch):
    monkeypatch.setenv("TIERGRAPH_MAX_TIERS", "4")
    with pytest.raises(ValidationError, match="pyramid selling"):
        Settings()


@pytest.mark.parametrize("cap", ["2", "3"])
def test_wechat_and_legal_caps_are_accepted(monkeypatch, cap):
    monkeypatch.setenv("TIERGRAPH_MAX_TIERS", cap)
    assert Settings().max_tiers == int(cap)


def test_api_keys_parse_into_roles():
    settings = Settings(api_keys="mall:k1, admin:k2")
    assert settings.api_key_roles() == {"k1": "mall", "k2": "admin"}
    with pytest.raises(ValueError, match="role:key"):
        Settings(api_keys="boss:k3").api_key_roles()


@pytest.mark.parametrize(("name", "argv"), [
    ("api", ["-m", "uvicorn", "api.main:app", "--port", "8999"]),
    ("worker", ["-m", "celery", "-A", "workers.app", "worker", "--concurrency", "1"]),
    ("cli", ["-m", "cli.main", "report", "tiers"]),
])
def test_each_process_refuses_to_start_above_three_tiers(name, argv):
    """The API server, the Celery worker and the command line each stop at start-up, saying
    why, before they touch a database (none is needed for the refusal)."""
    env = {**os.environ, "TIERGRAPH_MAX_TIERS": "4"}
    run = subprocess.run([sys.executable, *argv], env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode != 0, (name, run.stdout[-2000:])
    assert "TIERGRAPH_MAX_TIERS=4 is refused" in run.stdout + run.stderr, (name, run.stderr[-3000:])
