"""Settings refuse a tier cap above the legal three at start-up."""

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
