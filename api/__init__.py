"""tiergraph's HTTP API (FastAPI)."""
