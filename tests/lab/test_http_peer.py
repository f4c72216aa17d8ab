"""The http bench's peer (lab/bench/http_peer.py), a FastAPI service over PostgreSQL: it
answers GET /v1/users/{id}/upline with the same bytes as tiergraph's API for the same users,
by WITH RECURSIVE and by leader columns."""

import glob
import socket

import pytest

from graph.settings import get_settings
from lab.bench import http, http_peer, mall, postgres
from tests.conftest import auth

MALL = auth("mall")
HAS_POSTGRES = bool(glob.glob("/usr/lib/postgresql/*/bin/initdb"))


def test_the_peer_shapes_both_queries_rows_as_the_route_answers():
    recursive = [(0, "u"), (1, "a"), (2, "b"), (3, "c")]
    assert http_peer.shape("u", 2, recursive, "recursive") == {
        "user_id": "u", "depth": 2,
        "upline": [{"tier": 1, "user_id": "a"}, {"tier": 2, "user_id": "b"}]}
    assert http_peer.shape("u", 3, [("a", "b", None)], "leaders")["upline"] == [
        {"tier": 1, "user_id": "a"}, {"tier": 2, "user_id": "b"}]
    assert http_peer.shape("u", 3, [(0, "u")], "recursive")["upline"] == []
    assert http_peer.shape("u", 3, [], "recursive") is None
    assert http_peer.shape("u", 3, [], "leaders") is None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.skipif(not HAS_POSTGRES, reason="PostgreSQL's server binaries are not installed "
                                             "(apt-get install postgresql, as `make bench`)")
@pytest.mark.parametrize("mode", ["recursive", "leaders"])
def test_the_peer_answers_the_same_bytes_as_tiergraph(client, ids, monkeypatch, mode):
    from fastapi.testclient import TestClient

    forest = mall.invite_forest(40, seed=7)
    users = [ids(f"p{n}") for n in range(len(forest))]
    events = [{"type": "user_registered", "user_id": user, "at": "2026-03-01T10:00:00+08:00",
               **({"invited_by": users[forest[n]]} if forest[n] >= 0 else {})}
              for n, user in enumerate(users)]
    assert client.post("/v1/events", headers=MALL, json=events).json()["accepted"] == 40
    depths = {mall.depth_of(forest, n, 3) for n in range(len(forest))}
    assert depths == {0, 1, 2, 3}  # every shape of upline is compared

    folder = get_settings().data_dir / f"pg-peer-{mode}"
    with postgres.cluster(folder, _free_port()) as dsn:
        postgres.load(dsn, users, forest)
        monkeypatch.setenv("PEER_DSN", dsn)
        monkeypatch.setenv("PEER_KEYS", "test-mall")
        monkeypatch.setenv("PEER_UPLINE", mode)
        monkeypatch.setenv("PEER_POOL", "2")
        with TestClient(http_peer.create_app()) as peer:
            for user in users:
                for query in ("", "?depth=1", "?depth=2"):
                    ours = client.get(f"/v1/users/{user}/upline{query}", headers=MALL)
                    theirs = peer.get(f"/v1/users/{user}/upline{query}", headers=MALL)
                    assert ours.status_code == theirs.status_code == 200
                    assert ours.content == theirs.content
                    assert ours.headers["content-type"] == theirs.headers["content-type"]
            assert peer.get(f"/v1/users/{ids('nobody')}/upline",
                            headers=MALL).status_code == 404
            assert peer.get(f"/v1/users/{users[0]}/upline").status_code == 401


def test_the_ratios_set_each_tiergraph_side_against_each_peer_of_the_route():
    def row(route, side, connections, per_s, p50, p99, requests=100):
        return {"route": route, "side": side, "connections": connections, "per_s": per_s,
                "p50_ms": p50, "p99_ms": p99, "requests": requests}

    rows = [row("upline", "tiergraph, cached uplines", 1, 900.0, 1.0, 2.0),
            row("upline", "tiergraph, cached uplines", 32, 1000.0, 1.0, 2.0),
            row("upline", "PostgreSQL peer, WITH RECURSIVE", 1, 450.0, 2.0, 8.0),
            row("upline", "PostgreSQL peer, leader columns", 1, 600.0, 1.5, 4.0),
            row("payouts", "tiergraph", 1, 300.0, 3.0, 6.0),
            row("payouts", "PostgreSQL peer", 1, 600.0, 1.0, 2.0),
            # a run that finished no call has no figures to compare
            row("payouts", "tiergraph", 32, 0.0, 0.0, 0.0, requests=0),
            row("payouts", "PostgreSQL peer", 32, 600.0, 1.0, 2.0)]
    assert http.ratios(rows) == [
        {"route": "upline", "connections": 1,
         "label": "tiergraph, cached uplines / PostgreSQL peer, WITH RECURSIVE",
         "per_s": 2.0, "p50": 0.5, "p99": 0.25},
        {"route": "upline", "connections": 1,
         "label": "tiergraph, cached uplines / PostgreSQL peer, leader columns",
         "per_s": 1.5, "p50": 1.0 / 1.5, "p99": 0.5},
        {"route": "payouts", "connections": 1, "label": "tiergraph / PostgreSQL peer",
         "per_s": 0.5, "p50": 3.0, "p99": 3.0}]


def test_wrks_result_line_is_read_into_figures():
    from lab.bench import wrk

    output = ("Running 10s test @ http://127.0.0.1:18080\n"
              'WRK_RESULT {"requests": 20000, "duration_us": 10000000, "not_2xx": 0, '
              '"socket_errors": 1, "p50_us": 1500, "p99_us": 12250, "bad": 2}\n')
    assert wrk.parse(output) == {"requests": 20000, "per_s": 2000.0, "p50_ms": 1.5,
                                 "p99_ms": 12.25, "not_2xx": 0, "socket_errors": 1, "bad": 2}
    with pytest.raises(RuntimeError):
        wrk.parse("no result here")


def test_the_cache_figures_are_summed_over_the_api_processes_from_the_log(tmp_path):
    log = tmp_path / "api.log"
    old = "upline cache at shutdown: 9 entries, 9 answers from memory, 9 from the graph\n"
    log.write_text(old + "INFO:     Application shutdown complete.\n"
                   "INFO:     upline cache at shutdown: 5 entries, 70 answers from memory, "
                   "5 from the graph\n"
                   "INFO:     upline cache at shutdown: 4 entries, 30 answers from memory, "
                   "4 from the graph\n")
    assert http.cache_figures(log, len(old)) == {"processes": 2, "entries": 9, "hits": 100,
                                                 "misses": 9}
