"""The benchmarks' own stack: data in .tiergraph/bench, Neo4j on 7689, Redis on 6381, the audit
store on 6392 and the API on 8001, so a running demo is left alone."""

import os

from graph.settings import Settings, get_settings

BENCH_ENV = {
    "TIERGRAPH_DATA_DIR": ".tiergraph/bench",
    "TIERGRAPH_NEO4J_URI": "bolt://127.0.0.1:7689",
    "TIERGRAPH_REDIS_URL": "redis://127.0.0.1:6381/0",
    "TIERGRAPH_AUDIT_STORE_URL": "redis://tiergraph:bench-audit-append@127.0.0.1:6392/0",
    "TIERGRAPH_API_PORT": "8001",
    "TIERGRAPH_NEO4J_HEAP": "3g",
    "TIERGRAPH_NEO4J_PAGECACHE": "3g",
    "TIERGRAPH_API_KEYS": "mall:bench-mall,admin:bench-admin",
    # The benchmark's one key sends tens of thousands of calls a minute: the per-key limit
    # (6,000 a minute by default) would answer 429 and end the run.
    "TIERGRAPH_RATE_LIMIT_PER_MINUTE": "100000000",
    # The money suite settles everything it made, as of ten years ahead.
    "TIERGRAPH_ALLOW_FUTURE_AS_OF": "true",
}


def use_bench_stack() -> Settings:
    """Point this process's settings at the bench stack and return them; a variable already
    set in the environment wins. The services the bench starts inherit the environment."""
    for key, value in BENCH_ENV.items():
        os.environ.setdefault(key, value)
    get_settings.cache_clear()
    return get_settings()
