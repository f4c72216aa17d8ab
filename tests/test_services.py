"""Where the tests' services come from: one choice, made from the environment and from
whether a Docker engine answers."""

from graph.audit import seals
from graph.settings import Settings
from tests import services


def never() -> bool:
    raise AssertionError("the engine is not asked when the choice is already made")


def test_a_given_neo4j_is_used_as_it_is():
    assert services.choose({"TIERGRAPH_NEO4J_URI": "bolt://db:7687"}, never) == "external"


def test_containers_when_an_engine_answers_and_nothing_is_given():
    assert services.choose({}, lambda: True) == "containers"


def test_the_local_stack_when_no_engine_answers():
    assert services.choose({}, lambda: False) == "local"


def test_asking_for_the_local_stack_wins_over_both():
    asked = {"TIERGRAPH_NEO4J_URI": "bolt://127.0.0.1:7700", "TIERGRAPH_TEST_START_SERVICES": "1"}
    assert services.choose(asked, never) == "local"


def test_an_engine_that_does_not_answer_is_no_engine(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:1")  # nothing listens on port 1
    assert services.docker_answers() is False


def test_the_audit_acl_is_sent_with_the_default_user_switched_off_last():
    settings = Settings(audit_store_url="redis://app:secret@127.0.0.1:6391/0",
                        audit_admin_password="admin-secret")
    commands = services.audit_acl_commands(seals.acl_lines(settings))
    assert [c[2] for c in commands] == ["app", "audit-admin", "default"]
    assert commands[-1][:4] == ["ACL", "SETUSER", "default", "off"]
    assert all(c[:2] == ["ACL", "SETUSER"] for c in commands)
