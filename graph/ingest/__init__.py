"""Ingest: the mall's events, checked against the graph and written idempotently."""
