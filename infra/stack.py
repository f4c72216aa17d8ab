"""The local stack without Docker: Neo4j from Maven Central jars, Debian's redis-server,
Celery worker and beat, and the API, each a process with a pid file under the data dir.

Starting is idempotent (a live pid file means "already running"); stopping sends SIGTERM
and waits, so Neo4j always shuts its store down cleanly.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from graph import logs, processes
from graph.settings import Settings, masked_url
from infra import stack_auth

ROOT = Path(__file__).resolve().parent.parent
NEO4J_POM = ROOT / "infra" / "neo4j" / "pom.xml"
NEO4J_VERSION = "5.26.31"
# The JVM flags of the Neo4j 5.26 distribution's neo4j.conf (server.jvm.additional) but the
# TLS ones: the official image's JVM (docs/design.md, "Stack: the local Neo4j and Docker").
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+AlwaysPreTouch",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-XX:FlightRecorderOptions=stackdepth=256",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
]
SERVICES = ("neo4j", "redis", "audit", "worker", "beat", "api")


class StackError(RuntimeError):
    """A service could not be installed or started; the message says what to look at."""


@dataclass
class Paths:
    data: Path

    @property
    def neo4j_lib(self) -> Path:
        return self.data / "neo4j" / "lib"

    @property
    def neo4j_home(self) -> Path:
        return self.data / "neo4j" / "home"

    @property
    def run(self) -> Path:
        return self.data / "run"

    @property
    def logs(self) -> Path:
        return self.data / "logs"

    def pidfile(self, service: str) -> Path:
        return self.run / f"{service}.pid"

    def logfile(self, service: str) -> Path:
        return self.logs / f"{service}.log"


def _port(url: str, default: int) -> int:
    return urlparse(url).port or default


def running_pid(paths: Paths, service: str) -> int | None:
    """The pid of a service started by us and still alive, else None (stale files removed)."""
    pidfile = paths.pidfile(service)
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    if processes.alive(pid):
        return pid
    pidfile.unlink(missing_ok=True)
    return None


def _spawn(paths: Paths, service: str, argv: list[str], env: dict[str, str],
           cwd: Path = ROOT) -> int:
    paths.run.mkdir(parents=True, exist_ok=True)
    paths.logs.mkdir(parents=True, exist_ok=True)
    with open(paths.logfile(service), "ab") as log:  # the child keeps its own copy
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=cwd, env=env,
                                start_new_session=True)
    paths.pidfile(service).write_text(str(proc.pid))
    return proc.pid


def _wait(check: Callable[[], bool], what: str, timeout: float, paths: Paths, service: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if running_pid(paths, service) is None:
            raise StackError(f"{what} exited while starting; see {paths.logfile(service)}")
        time.sleep(0.5)
    raise StackError(f"{what} not ready after {timeout:.0f}s; see {paths.logfile(service)}")


# --- installation -------------------------------------------------------------------------


def ensure_neo4j_jars(paths: Paths, say: Callable[[str], None] = print) -> None:
    """Gather the pinned Neo4j server jars from Maven Central (once)."""
    marker = paths.neo4j_lib / f".complete-{NEO4J_VERSION}"
    if marker.exists():
        return
    if shutil.which("mvn") is None:
        raise StackError("Maven (mvn) is needed to fetch Neo4j's jars; "
                         "install it (apt-get install maven)")
    say(f"fetching Neo4j {NEO4J_VERSION} jars from Maven Central into {paths.neo4j_lib} ...")
    if paths.neo4j_lib.exists():
        shutil.rmtree(paths.neo4j_lib)
    paths.neo4j_lib.mkdir(parents=True)
    result = subprocess.run(
        ["mvn", "-q", "-B", "-f", str(NEO4J_POM), "dependency:copy-dependencies",
         f"-DoutputDirectory={paths.neo4j_lib.resolve()}", "-DincludeScope=runtime"],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise StackError("mvn could not fetch Neo4j's jars:\n"
                         f"{result.stdout[-3000:]}{result.stderr[-3000:]}")
    marker.touch()


def ensure_redis_server() -> str:
    """Path of redis-server (Debian's package, installed by `make` / .ci/run)."""
    found = shutil.which("redis-server")
    if found is None:
        raise StackError("redis-server is missing: run `make deps` (apt-get install redis-server)")
    return found


# --- services -----------------------------------------------------------------------------


def _neo4j_conf(settings: Settings, paths: Paths) -> str:
    port = _port(settings.neo4j_uri, 7687)
    return "\n".join([
        "# Written by tiergraph at each start; change settings through TIERGRAPH_* instead.",
        "server.default_listen_address=127.0.0.1",
        "server.bolt.enabled=true",
        f"server.bolt.listen_address=127.0.0.1:{port}",
        "server.http.enabled=false",
        "server.https.enabled=false",
        # Auth on: user and password from TIERGRAPH_NEO4J_USER/PASSWORD (infra/stack_auth.py).
        "dbms.security.auth_enabled=true",
        "server.directories.data=data",
        "server.directories.logs=logs",
        "server.directories.run=run",
        "server.directories.plugins=plugins",
        f"server.memory.pagecache.size={settings.neo4j_pagecache}",
        "db.tx_log.rotation.retention_policy=1G size",
        "dbms.usage_report.enabled=false",
        "",
    ])


def start_neo4j(settings: Settings, paths: Paths, say: Callable[[str], None] = print) -> None:
    """Start Neo4j from the jars unless it already runs, with the neo4j.conf these settings
    make (written at each start); see `run_neo4j`."""
    if running_pid(paths, "neo4j") is None:
        ensure_neo4j_jars(paths, say)
        for sub in ("conf", "data", "logs", "run", "plugins"):
            (paths.neo4j_home / sub).mkdir(parents=True, exist_ok=True)
        (paths.neo4j_home / "conf" / "neo4j.conf").write_text(_neo4j_conf(settings, paths))
    run_neo4j(settings, paths, say)


def run_neo4j(settings: Settings, paths: Paths, say: Callable[[str], None] = print) -> None:
    """Start Neo4j from the jars in a home holding them and its neo4j.conf, unless it already
    runs; wait until Bolt answers, and give a store still on its initial password the
    configured one (infra/stack_auth.py)."""
    if running_pid(paths, "neo4j") is None:
        home = paths.neo4j_home
        java = shutil.which("java") or "java"
        argv = [java, f"-Xms{settings.neo4j_heap}", f"-Xmx{settings.neo4j_heap}", *JVM_FLAGS,
                "-cp", f"{(home / 'plugins').resolve()}/*:{paths.neo4j_lib.resolve()}/*",
                "org.neo4j.server.CommunityEntryPoint", f"--home-dir={home.resolve()}",
                f"--config-dir={(home / 'conf').resolve()}", "--console-mode"]
        say(f"starting Neo4j {NEO4J_VERSION} on {settings.neo4j_uri} (data in {home / 'data'})")
        _spawn(paths, "neo4j", argv, dict(os.environ))
    credentials = (settings.neo4j_uri, settings.neo4j_user,
                   settings.neo4j_password.get_secret_value())
    state = ["down"]

    def answered() -> bool:
        state[0] = stack_auth.bolt_state(*credentials)
        return state[0] != "down"

    _wait(answered, "Neo4j", 180, paths, "neo4j")
    try:
        stack_auth.ensure_neo4j_password(settings, state[0], say)
    except stack_auth.CredentialsError as error:
        raise StackError(str(error)) from None


def _redis_ping(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except Exception:
        return False


def start_redis(settings: Settings, paths: Paths, say: Callable[[str], None] = print) -> None:
    """Start redis-server (append-only file on, so queued tasks survive a restart), with the
    password of TIERGRAPH_REDIS_URL when it carries one."""
    url = settings.redis_url
    pid = running_pid(paths, "redis")
    if pid is not None or _redis_ping(url):
        if pid is None:
            say(f"Redis already answers at {masked_url(url)}; using it")
        if stack_auth.redis_open_without(url):  # it works, but anyone may use it
            say(stack_auth.open_redis_message(url, pid))
        return
    server = ensure_redis_server()
    conf = _redis_conf(paths.data / "redis", _port(url, 6379),
                       "the password comes from TIERGRAPH_REDIS_URL",
                       stack_auth.redis_acl_lines(url))
    say(f"starting Redis on {masked_url(url)}")
    _spawn(paths, "redis", [server, str(conf.resolve())], dict(os.environ))
    _wait(lambda: _redis_ping(url), "Redis", 30, paths, "redis")


def _redis_conf(folder: Path, port: int, source: str, lines: list[str]) -> Path:
    """A redis.conf (mode 0600) for a loopback server keeping its append-only file in
    `folder`, with `lines` added; `source` says where those come from."""
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / "redis.conf"
    conf.write_text("\n".join([
        f"# Written by tiergraph at each start; {source}.",
        "bind 127.0.0.1", f"port {port}", f"dir {folder.resolve()}",
        "appendonly yes", 'save ""', "daemonize no", *lines, ""]))
    conf.chmod(0o600)
    return conf


def start_audit_store(settings: Settings, paths: Paths, say: Callable[[str], None] = print) -> None:
    """Start the audit store: a second redis-server whose ACL lets the application's account
    only append to and read the audit stream (graph/audit/seals.py); every write is fsynced."""
    from graph.audit import seals

    port = _port(settings.audit_store_url, 6379)
    if running_pid(paths, "audit") is None:
        if seals.ping():
            say(f"the audit store already answers on port {port}")
            return
        server = ensure_redis_server()
        conf = _redis_conf(paths.data / "audit", port,
                           "the ACL lines come from graph/audit/seals.py",
                           ["appendfsync always", *seals.acl_lines(settings)])
        say(f"starting the audit store on port {port}")
        _spawn(paths, "audit", [server, str(conf.resolve())], dict(os.environ))
        _wait(seals.ping, "the audit store", 30, paths, "audit")


def _python_bin(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def start_worker(settings: Settings, paths: Paths, say: Callable[[str], None] = print) -> None:
    """Start a Celery worker with TIERGRAPH_WORKER_CONCURRENCY processes (idempotent)."""
    concurrency = settings.worker_concurrency
    if running_pid(paths, "worker") is None:
        say("starting the Celery worker")
        _spawn(paths, "worker", [_python_bin("celery"), "-A", "workers.app", "worker",
                                 "--loglevel", "INFO", "--concurrency", str(concurrency),
                                 "--hostname", f"tiergraph-{os.getpid()}@%h"], dict(os.environ))


def start_beat(settings: Settings, paths: Paths, say: Callable[[str], None] = print) -> None:
    """Start Celery beat (the periodic sweeps) unless it runs."""
    if running_pid(paths, "beat") is None:
        say("starting Celery beat")
        schedule = (paths.run / "celerybeat-schedule").resolve()
        _spawn(paths, "beat", [_python_bin("celery"), "-A", "workers.app", "beat",
                               "--loglevel", "INFO", "--schedule", str(schedule)], dict(os.environ))


def _api_ready(settings: Settings) -> bool:
    try:
        url = f"http://{settings.api_host}:{settings.api_port}/readyz"
        with urllib.request.urlopen(url, timeout=2) as answer:
            return bool(answer.status == 200)
    except Exception:
        return False


def api_workers(settings: Settings) -> int:
    """How many API processes to run: TIERGRAPH_API_WORKERS, or one per CPU when 0."""
    return settings.api_workers or os.cpu_count() or 1


def start_api(settings: Settings, paths: Paths, say: Callable[[str], None] = print,
              env: Mapping[str, str] | None = None) -> None:
    """Start the API with uvicorn, TIERGRAPH_API_WORKERS processes (one per CPU by default),
    with this environment and `env` on top, and wait for /readyz. Each process keeps its own
    memory (rate-limit counts, cached uplines, the API keys' map); api/ratelimit.py and
    graph/users/invites.py say how they stay in step through Redis."""
    if running_pid(paths, "api") is None:
        workers = api_workers(settings)
        say(f"starting the API on http://{settings.api_host}:{settings.api_port} "
            f"({workers} processes)")
        # JSON log lines from every process, the one supervising the workers included; the
        # access log is the app's own (api/metrics.py), with the request's id and duration
        log_config = logs.write_uvicorn_config(paths.run).resolve()
        _spawn(paths, "api", [_python_bin("uvicorn"), "api.main:app", "--host", settings.api_host,
                              "--port", str(settings.api_port), "--workers", str(workers),
                              "--no-access-log", "--log-config", str(log_config)],
               {**os.environ, **(env or {})})
    _wait(lambda: _api_ready(settings), "the API", 120, paths, "api")


STARTERS = {"neo4j": start_neo4j, "redis": start_redis, "audit": start_audit_store,
            "worker": start_worker,
            "beat": start_beat, "api": start_api}


def up(settings: Settings, services: tuple[str, ...] = SERVICES,
       say: Callable[[str], None] = print) -> None:
    """Start the named services in dependency order, skipping those already running."""
    from graph import db
    from graph.rules.book import ensure_default_rule

    paths = Paths(settings.data_dir)
    for name in SERVICES:
        if name in services:
            STARTERS[name](settings, paths, say)
        if name == "audit" and "neo4j" in services:
            db.apply_schema()
            ensure_default_rule()


def stop_service(paths: Paths, service: str, timeout: float = 120) -> bool:
    """SIGTERM a service and wait for it to exit; True if it was running."""
    pid = running_pid(paths, service)
    if pid is None:
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and processes.alive(pid):
        time.sleep(0.3)
    if processes.alive(pid):
        raise StackError(f"{service} (pid {pid}) did not stop within {timeout:.0f}s; "
                         f"left running rather than killed; see {paths.logfile(service)}")
    paths.pidfile(service).unlink(missing_ok=True)
    return True


def down(settings: Settings, say: Callable[[str], None] = print) -> None:
    """Stop every service we started, API first and Neo4j last."""
    from graph import db

    db.close_driver()
    paths = Paths(settings.data_dir)
    for name in reversed(SERVICES):
        if stop_service(paths, name):
            say(f"stopped {name}")


def status(settings: Settings) -> dict[str, int | None]:
    """Pid of each service we started, or None."""
    paths = Paths(settings.data_dir)
    return {name: running_pid(paths, name) for name in SERVICES}
