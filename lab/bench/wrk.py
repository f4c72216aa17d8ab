"""wrk (Debian's package) as the HTTP load generator of `tiergraph bench --suite http`: each
request a GET of a user picked at random from a file of ids, at a fixed number of
connections for a fixed time; answers requests/s, p50 and p99 (wrk --latency) and the count
of answers that were not 2xx, read from a line the Lua script prints."""

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

# The Lua script: ids read once per wrk thread, a seed per thread, and one JSON line at the
# end with the figures wrk measured (its latency percentiles are in microseconds).
SCRIPT = r"""
local ids, key, template = {}, "", ""
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  key, template = args[2], args[3]
  math.randomseed(os.time() * 1000 + (thread_number or 0) * 7919)
end

function request()
  local id = ids[math.random(#ids)]
  return wrk.format("GET", string.gsub(template, "{id}", id),
                    {["Authorization"] = "Bearer " .. key})
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "not_2xx": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def ensure_wrk(say: Any = print) -> str:
    """The path of wrk, installed from Debian's packages when missing (as `make deps`
    installs the stack's system packages)."""
    found = shutil.which("wrk")
    if found:
        return found
    say("installing wrk (apt-get install wrk)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
        subprocess.run([*sudo, *argv], check=True, env=env, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is missing after apt-get install wrk")
    return found


def parse(output: str) -> dict[str, Any]:
    """The figures of the script's WRK_RESULT line: requests/s, p50 and p99 in ms, the
    requests, and the answers that were not 2xx or failed."""
    for line in output.splitlines():
        if line.startswith("WRK_RESULT "):
            raw = json.loads(line.removeprefix("WRK_RESULT "))
            return {"requests": raw["requests"],
                    "per_s": raw["requests"] / (raw["duration_us"] / 1e6),
                    "p50_ms": raw["p50_us"] / 1000, "p99_ms": raw["p99_us"] / 1000,
                    "not_2xx": raw["not_2xx"], "socket_errors": raw["socket_errors"]}
    raise RuntimeError(f"wrk printed no result:\n{output[-2000:]}")


def run(base_url: str, ids_file: Path, key: str, connections: int, seconds: int,
        folder: Path, template: str = "/v1/users/{id}/upline",
        threads: int | None = None) -> dict[str, Any]:
    """One wrk run against `base_url`: `connections` kept open for `seconds`, each request
    for an id drawn from `ids_file`; its figures (see parse)."""
    script = folder / "random_ids.lua"
    script.write_text(SCRIPT)
    threads = threads or max(1, min(connections, os.cpu_count() or 1))
    argv = [ensure_wrk(), "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
            "--timeout", "10s", "--latency", "-s", str(script), base_url, "--",
            str(ids_file), key, template]
    done = subprocess.run(argv, capture_output=True, text=True, check=False,
                          timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-2000:]}")
    return parse(done.stdout)
