"""The files a generated mall is written to: events.ndjson and labels.json."""

from pathlib import Path
from typing import Any

import orjson


def write_mall_files(events: list[dict[str, Any]], labels: dict[str, Any],
                     out_dir: str | Path) -> tuple[Path, Path]:
    """Writes events (one JSON line each) and labels into out_dir; returns both paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    events_path, labels_path = out / "events.ndjson", out / "labels.json"
    with events_path.open("wb") as handle:
        for event in events:
            handle.write(orjson.dumps(event) + b"\n")
    labels_path.write_bytes(orjson.dumps(labels, option=orjson.OPT_INDENT_2))
    return events_path, labels_path
