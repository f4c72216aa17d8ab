"""Benchmarks of tiergraph against what a mall would otherwise run (PostgreSQL)."""
