"""/openapi.json for machines (SPEC 10.5, api/openapi.py): the bearer scheme the keys use,
the event union of POST /v1/events, stable operationIds, one paging style, the repo's copy
kept equal to it, and a client driven by the schema alone."""

import json
import re
from typing import Any

import jsonschema_rs
import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from api import openapi_file
from api.main import app
from api.openapi import EXAMPLE_EVENTS, operation_id
from graph.ingest.events import EVENT_TYPES, Rejection, parse_event
from tests.conftest import KEYS

SCHEMA = app.openapi()
OPERATIONS = [(path, method, operation) for path, item in SCHEMA["paths"].items()
              for method, operation in item.items()]
NO_KEY = {"/healthz", "/readyz", "/metrics"}
# Lists paged by offset or by sequence number, from before limit/cursor (api/paging.py)
# was the one style: each is to move to limit and cursor, and leaves this set when it does.
# (Those that moved still take their older parameter beside the cursor.)
OLDER_PAGING: set[str] = set()


def schema_validator(schema: dict[str, Any]) -> Any:
    """A validator of `schema`, whose $refs point into the served schema's components."""
    return jsonschema_rs.Draft202012Validator({**schema, "components": SCHEMA["components"]})


def test_every_operation_has_a_stable_unique_id():
    found = [operation["operationId"] for _, _, operation in OPERATIONS]
    assert len(found) == len(set(found)), sorted(i for i in found if found.count(i) > 1)
    assert all(re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", i) for i in found), found
    # the rule: first tag and the route's function name, so ids move with neither path nor
    # order of the routes
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.include_in_schema:
            for method in context.methods or ():
                operation = SCHEMA["paths"][context.path_format][method.lower()]
                assert operation["operationId"] == operation_id(route)
    named = {(path, method): operation["operationId"] for path, method, operation in OPERATIONS}
    assert named[("/v1/events", "post")] == "events_post_events"
    assert named[("/v1/users/{user_id}/upline", "get")] == "users_get_upline"


def test_keyed_operations_declare_the_bearer_scheme_and_their_roles():
    assert SCHEMA["components"]["securitySchemes"]["bearerAuth"]["type"] == "http"
    assert SCHEMA["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path, method, operation in OPERATIONS:
        if path in NO_KEY:
            assert "security" not in operation, path
        else:
            assert operation["security"] == [{"bearerAuth": []}], (path, method)
            assert "admin" in operation["x-roles"], (path, method)
    assert SCHEMA["paths"]["/v1/events"]["post"]["x-roles"] == ["admin", "mall"]


def test_the_events_body_is_one_event_or_a_list_of_the_event_union():
    body = SCHEMA["paths"]["/v1/events"]["post"]["requestBody"]["content"]["application/json"]
    union = SCHEMA["components"]["schemas"]["Event"]
    assert union["discriminator"]["propertyName"] == "type"
    assert sorted(union["discriminator"]["mapping"]) == sorted(EVENT_TYPES)
    validator = schema_validator(body["schema"])
    for example in body["examples"].values():
        assert validator.is_valid(example["value"]), example["summary"]
    for index, event in enumerate(EXAMPLE_EVENTS):
        assert validator.is_valid(event) and validator.is_valid([event])
        assert not isinstance(parse_event(index, event), Rejection)  # as the route reads it
    assert {e["type"] for e in EXAMPLE_EVENTS} == set(EVENT_TYPES)
    assert not validator.is_valid({"type": "order_shipped", "order_id": "o1"})
    assert not validator.is_valid([{**EXAMPLE_EVENTS[0], "user_id": "not an id!"}])


def test_a_bad_event_in_a_batch_is_refused_alone(client, ids):
    from tests.conftest import auth

    good = {"type": "user_registered", "user_id": ids("u1"), "at": "2026-03-01T10:00:00+08:00"}
    answer = client.post("/v1/events", headers=auth("mall"),
                         json=[good, {"type": "order_shipped"}, {"type": "session"}])
    assert answer.status_code == 200
    body = answer.json()
    assert body["accepted"] == 1
    assert [(r["index"], r["reason"]) for r in body["rejected"]] == [(1, "unknown_type"),
                                                                     (2, "invalid_event")]


def test_lists_page_by_limit_and_cursor():
    parameters = {(path, method): {p["name"]: p for p in operation.get("parameters", [])
                                   if p["in"] == "query"}
                  for path, method, operation in OPERATIONS}
    paged = {key: found for key, found in parameters.items() if "limit" in found}
    assert paged
    older = {path for (path, _), found in paged.items() if "cursor" not in found}
    assert older <= OLDER_PAGING, (
        f"{sorted(older - OLDER_PAGING)} take limit without cursor: page with api/paging.py's "
        "LimitQuery and CursorQuery and answer next_cursor (SPEC 10.2)")
    assert older == OLDER_PAGING, f"{sorted(OLDER_PAGING - older)} page by cursor now: " \
                                  "take them out of OLDER_PAGING"
    limits = {json.dumps(f["limit"]["schema"], sort_keys=True)
              for (path, _), f in paged.items() if path not in OLDER_PAGING}
    cursors = {json.dumps(f["cursor"]["schema"], sort_keys=True)
               for (path, _), f in paged.items() if path not in OLDER_PAGING}
    assert len(limits) == 1 and len(cursors) == 1  # api/paging.py's LimitQuery and CursorQuery
    for path, method in paged:
        if path in OLDER_PAGING:
            continue
        answer = SCHEMA["paths"][path][method]["responses"]["200"]["content"]["application/json"]
        reference = answer["schema"]["$ref"].rsplit("/", 1)[1]
        assert "next_cursor" in SCHEMA["components"]["schemas"][reference]["properties"], path


def test_the_repo_copy_is_the_served_schema():
    kept = json.loads(openapi_file.REPO_COPY.read_text(encoding="utf-8"))
    found = openapi_file.differences(kept, SCHEMA)
    assert not found, (f"openapi.json is stale: run `{openapi_file.REGENERATE}` and commit it; "
                       f"it differs at {found}")


def test_the_copy_check_names_the_command_that_regenerates(tmp_path, capsys):
    stale = tmp_path / "openapi.json"
    stale.write_text(json.dumps({**SCHEMA, "paths": {}}))
    assert openapi_file.main(["--check", str(stale)]) == 1
    said = capsys.readouterr().err
    assert "tiergraph openapi --write" in said and "/paths/~1v1~1events: only served" in said
    assert openapi_file.main(["--write", str(stale)]) == 0
    assert openapi_file.main(["--check", str(stale)]) == 0


def _unique(value: Any, ids: Any) -> Any:
    """An example event with ids of this test's own (the graph is shared)."""
    named = {"user_id", "invited_by", "order_id", "refund_id", "device_id", "payment_account",
             "shipping_address"}
    if isinstance(value, list):
        return [_unique(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: ids(v) if k in named else _unique(v, ids) for k, v in value.items()}
    return value


@pytest.mark.usefixtures("graph")
def test_a_client_driven_by_the_schema_sends_events_and_reads_an_upline(client, ids):
    """Everything the calls need comes from /openapi.json: the operations by id, their
    paths and parameters, the scheme that carries the key, the example body."""
    spec = client.get("/openapi.json").json()
    operations = {operation["operationId"]: (method, path, operation)
                  for path, item in spec["paths"].items() for method, operation in item.items()}

    def request(operation_id: str, params: dict[str, Any], body: Any = None) -> Any:
        method, path, operation = operations[operation_id]
        headers = {}
        for requirement in operation.get("security", []):
            for name in requirement:
                scheme = spec["components"]["securitySchemes"][name]
                assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
                headers["Authorization"] = f"Bearer {KEYS['mall']}"
        query = {}
        for parameter in operation.get("parameters", []):
            given = params.get(parameter["name"])
            if parameter["in"] == "path":
                path = path.replace("{" + parameter["name"] + "}", str(given))
            elif parameter["in"] == "query" and given is not None:
                query[parameter["name"]] = given
        answer = client.request(method.upper(), path, params=query, headers=headers, json=body)
        assert answer.status_code == 200, answer.text
        declared = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert jsonschema_rs.Draft202012Validator(
            {**declared, "components": spec["components"]}).is_valid(answer.json())
        return answer.json()

    _, _, posting = operations["events_post_events"]
    batch = posting["requestBody"]["content"]["application/json"]["examples"]["batch"]["value"]
    sent = request("events_post_events", {}, _unique(batch, ids))
    assert sent == {"accepted": len(batch), "duplicates": 0, "rejected": []}
    upline = request("users_get_upline", {"user_id": ids("u1"), "depth": 3})
    assert upline["upline"] == [{"tier": 1, "user_id": ids("u0")}]
    # without the scheme's header the same call is refused
    method, path, _ = operations["users_get_upline"]
    refused = client.request(method.upper(), path.replace("{user_id}", ids("u1")))
    assert refused.status_code == 401


def test_the_command_line_writes_and_checks_the_copy(tmp_path):
    from typer.testing import CliRunner

    from cli.main import app as cli

    copy = tmp_path / "openapi.json"
    copy.write_text("{}")
    runner = CliRunner()
    assert runner.invoke(cli, ["openapi", "--check", str(copy)]).exit_code == 1
    assert runner.invoke(cli, ["openapi", "--write", str(copy)]).exit_code == 0
    assert json.loads(copy.read_text()) == SCHEMA
    assert runner.invoke(cli, ["openapi", "--check", str(copy)]).exit_code == 0
    assert runner.invoke(cli, ["openapi", "--write", "--check", str(copy)]).exit_code == 2
