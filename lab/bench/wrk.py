"""wrk (Debian's package) as the HTTP load generator of `tiergraph bench --suite http`: at a
fixed number of connections for a fixed time, each request either a call for an id picked at
random from a file (`ids_script`: an upline GET, a payouts POST) or a batch of fresh events
(`events_script`); answers requests/s, p50 and p99 (wrk --latency) and the count of answers
that were not 2xx, read from a line the Lua script prints."""

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

# What every script shares: each thread numbered (setup runs in wrk's main Lua state, done
# too, so `done` can read each thread's counters), ids read once per thread, and one JSON
# line at the end with the figures wrk measured (its latencies are in microseconds) and the
# answers the script itself found wrong (`bad`).
COMMON = r"""
local threads, counter = {}, 0
local ids = {}
bad = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
  threads[#threads + 1] = thread
end

local function read_ids(path)
  for line in io.lines(path) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  math.randomseed(os.time() * 1000 + (thread_number or 0) * 7919)
end

function done(summary, latency, requests)
  local e, wrong = summary.errors, 0
  for _, thread in ipairs(threads) do wrong = wrong + (thread:get("bad") or 0) end
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "not_2xx": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p99_us": %d, "bad": %d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), wrong))
end
"""

# One call per request for an id drawn from the file: args are the file, the key, the
# path template ("{id}" replaced) and the method (a POST sends an empty body).
IDS = r"""
local key, template, method = "", "", "GET"

function init(args)
  read_ids(args[1])
  key, template, method = args[2], args[3], args[4] or "GET"
end

function request()
  local path = string.gsub(template, "{id}", ids[math.random(#ids)])
  local body = nil
  if method ~= "GET" then body = "" end
  return wrk.format(method, path, {["Authorization"] = "Bearer " .. key}, body)
end
"""

# A batch of fresh events per request to /v1/events, of users drawn from the file: every
# `every`-th event a paid order (a new order id), the others sessions. What makes each new:
# the run's tag and the thread's number in the order ids, and in every event's time (the
# run's own stretch of seconds, then the thread's, then a counter), so no event replays
# another. The answer must say all of the batch was accepted (else it counts as bad).
EVENTS = r"""
local key, size, every, tag, seq = "", 100, 5, 0, 0
local base = 1767225600  -- 2026-01-01T00:00:00Z

function init(args)
  read_ids(args[1])
  key, size, every, tag = args[2], tonumber(args[3]), tonumber(args[4]), tonumber(args[5])
  wrk.method = "POST"
  wrk.headers["Authorization"] = "Bearer " .. key
  wrk.headers["Content-Type"] = "application/json"
end

local function event(n)
  seq = seq + 1
  local user = ids[math.random(#ids)]
  local number = string.sub(user, 2)
  local at = os.date("!%Y-%m-%dT%H:%M:%SZ",
                     base + tag * 20000000 + (thread_number or 0) * 1000000 + seq)
  local ip = string.format("10.%d.%d.%d", math.random(0, 249), math.random(0, 249),
                           math.random(1, 250))
  if n % every == 0 then
    local cents = math.random(10, 2000) * 100
    return string.format(
      '{"type":"order_paid","order_id":"e%d-%d-%d","user_id":"%s","amount_cents":%d,' ..
      '"currency":"CNY","items":[{"sku":"s%d","category":"home","amount_cents":%d}],' ..
      '"device_id":"bd%s","ip":"%s","payment_account":"bp%s","shipping_address":"ba%s",' ..
      '"at":"%s"}',
      tag, thread_number or 0, seq, user, cents, math.random(1, 5000), cents, number, ip,
      number, number, at)
  end
  return string.format('{"type":"session","user_id":"%s","device_id":"bd%s","ip":"%s",' ..
                       '"at":"%s"}', user, number, ip, at)
end

function request()
  local parts = {}
  for n = 1, size do parts[n] = event(n) end
  return wrk.format(nil, nil, nil, "[" .. table.concat(parts, ",") .. "]")
end

function response(status, headers, body)
  if status == 200 then
    local accepted = tonumber(string.match(body, '"accepted":%s*(%d+)'))
    if accepted ~= size then bad = bad + 1 end
  end
end
"""


def ids_script() -> str:
    """The Lua script of calls for random ids (args: ids file, key, template, method)."""
    return COMMON + IDS


def events_script() -> str:
    """The Lua script of event batches (args: ids file, key, batch size, one order every
    how many events, the run's tag)."""
    return COMMON + EVENTS


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
    requests, the answers that were not 2xx or failed, and those the script found wrong."""
    for line in output.splitlines():
        if line.startswith("WRK_RESULT "):
            raw = json.loads(line.removeprefix("WRK_RESULT "))
            return {"requests": raw["requests"],
                    "per_s": raw["requests"] / (raw["duration_us"] / 1e6),
                    "p50_ms": raw["p50_us"] / 1000, "p99_ms": raw["p99_us"] / 1000,
                    "not_2xx": raw["not_2xx"], "socket_errors": raw["socket_errors"],
                    "bad": raw.get("bad", 0)}
    raise RuntimeError(f"wrk printed no result:\n{output[-2000:]}")


def run(base_url: str, script: str, args: list[str], connections: int, seconds: int,
        folder: Path, path: str = "/", threads: int | None = None) -> dict[str, Any]:
    """One wrk run of `script` (ids_script or events_script, given `args`) against
    `base_url` + `path`: `connections` kept open for `seconds`; its figures (see parse)."""
    file = folder / f"wrk-{hashlib.sha1(script.encode()).hexdigest()[:10]}.lua"
    file.write_text(script)
    threads = threads or max(1, min(connections, os.cpu_count() or 1))
    argv = [ensure_wrk(), "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
            "--timeout", "10s", "--latency", "-s", str(file), base_url + path, "--", *args]
    done = subprocess.run(argv, capture_output=True, text=True, check=False,
                          timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-2000:]}")
    return parse(done.stdout)
