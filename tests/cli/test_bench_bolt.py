"""The benchmark's bare Bolt client (lab/bench/bolt.py) against the real Neo4j: it gets the
same answer sizes the driver gets, and a failing query is an error, not a fast zero."""

from urllib.parse import urlparse

import pytest

from graph import db
from graph.ingest.batch import ingest_raw
from graph.queries import queries
from graph.settings import get_settings
from lab.bench.bolt import BareBolt
from tests.factories import make_chain


def test_bare_bolt_reads_whole_answers_and_fails_loudly(graph, ids):
    names = [ids(n) for n in "abcde"]
    assert ingest_raw(make_chain(names)).accepted == 5
    settings = get_settings()
    where = urlparse(settings.neo4j_uri)
    bare = BareBolt(where.hostname, where.port, settings.neo4j_user,
                    settings.neo4j_password.get_secret_value())
    try:
        assert bare.run(queries["admin.ping"], {}) == 1
        assert bare.run("UNWIND range(1, $n) AS x RETURN x", {"n": 300}) == 300
        assert bare.run(queries["invites.upline"], {"user_id": names[-1]}) == 1
        assert db.read_query("invites.upline", user_id=names[-1])[0]["upline"] == names[-2::-1][:3]
        with pytest.raises(RuntimeError, match="0x7f"):
            bare.run("RETURN nonsense(", {})
    finally:
        bare.sock.close()
