"""The scale suite's pure parts: reading `import --bulk`'s phases, cutting the stream, the
table (the suite itself is a benchmark, run by hand)."""

from lab.bench.scale import phases, split_stream, table

BULK_OUTPUT = """accepted 153591, duplicates 0, rejected 0; 401,220 CSV rows
check: 22.5s, 6,826 events/s
CSV: 6.0s, 25,598 events/s
neo4j-admin: 60.6s, 2,534 events/s
Neo4j stop, start and schema: 114.4s, 1,343 events/s
total: 209.7s, 732 events/s
"""


def test_the_phases_of_a_bulk_load_are_read_from_its_output():
    assert phases(BULK_OUTPUT) == {"check": 22.5, "CSV": 6.0, "neo4j-admin": 60.6,
                                   "Neo4j stop, start and schema": 114.4, "total": 209.7}
    assert phases("nothing printed") == {}


def test_the_stream_is_cut_with_its_last_tenth_left_for_the_incremental_import():
    lines = [str(n).encode() for n in range(25)]
    head, tail = split_stream(lines)
    assert head + tail == lines
    assert (len(head), len(tail)) == (23, 2)  # int(2.5): the tail never takes more than 10%


def test_the_table_has_a_column_per_size():
    row = {"users": 100000, "events": 850000, "bulk_events_per_s": 41000,
           "incremental_events_per_s": 9000, "store_mib": 2048, "detect_s": 12.5,
           "detect_peak_rss_mib": 900, "neo4j_peak_rss_mib": 3600}
    lines = table([row, {**row, "users": 300000}]).splitlines()
    assert lines[0] == "| measure | 100,000 users | 300,000 users |"
    assert lines[1] == "|---|---:|---:|"
    assert "| bulk load, events/s (`import --bulk`) | 41,000 | 41,000 |" in lines
    assert len(lines) == 2 + 7
