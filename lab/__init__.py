"""The lab: generated malls, detection evaluation and benchmarks. Not part of the service."""

from pathlib import Path

from graph.queries import queries

queries.include(Path(__file__).resolve().parent / "cypher")
