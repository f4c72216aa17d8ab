"""Commands on the local stack: start and stop its services, say which run, load the demo."""

from typing import Annotated

import orjson
import typer

from cli.console import console, err, load_settings, say, shell_actor
from cli.data import ingest_with_progress

# infra.stack (subprocess, urllib), the graph (the Neo4j driver, Redis) and the lab are
# imported inside the commands so that `tiergraph --help` does not wait for them.

ALL_SERVICES = "neo4j,redis,audit,worker,beat,api"


def up(
    demo: Annotated[bool, typer.Option(help="Also load the demo mall.")] = False,
    services: Annotated[str, typer.Option(help="Comma-separated subset to start.")] =
    ALL_SERVICES,
) -> None:
    """Start Neo4j, Redis, the audit store, the Celery worker and beat, and the API (idempotent)."""
    from infra import stack

    settings = load_settings()
    chosen = tuple(s.strip() for s in services.split(",") if s.strip())
    unknown = set(chosen) - set(stack.SERVICES)
    if unknown:
        err.print(f"unknown services {sorted(unknown)}; known: {', '.join(stack.SERVICES)}")
        raise typer.Exit(2)
    try:
        stack.up(settings, chosen, say=say)
    except stack.StackError as error:
        err.print(f"[red]could not start:[/red] {error}")
        raise typer.Exit(1) from None
    if demo:
        load_demo()
    base = f"http://{settings.api_host}:{settings.api_port}"
    console.print(f"\n[green]tiergraph is up.[/green] API docs: {base}/docs")
    if "api" in chosen:
        roles = settings.api_key_roles()
        key, ckey, rkey = (next((k for k, r in roles.items() if r == role), "KEY")
                           for role in ("mall", "compliance", "risk"))
        # plain print: curl lines must stay whole to be copied
        print(f"Console: {base}/console  (sign in with an admin, risk or compliance key)")
        print("Try:")
        print(f"  curl -s -H 'Authorization: Bearer {key}' {base}/v1/users/ring11/upline")
        print(f"  curl -s -H 'Authorization: Bearer {key}' {base}/v1/users/m00000/downline")
        print(f"  curl -s -X POST -H 'Authorization: Bearer {key}' "
              f"{base}/v1/orders/ord-ring05/payouts")
        print(f"  curl -s -H 'Authorization: Bearer {ckey}' {base}/v1/compliance/tier-report")
        print(f"  curl -s -H 'Authorization: Bearer {rkey}' '{base}/v1/risk/rings?min_score=0.7'")
        print(f"  curl -s -H 'Authorization: Bearer {rkey}' {base}/v1/risk/users/ring05")
        print("Stop everything with: make down")


def down() -> None:
    """Stop every service started by `up` (SIGTERM, waiting for a clean shutdown)."""
    from infra import stack

    try:
        stack.down(load_settings(), say=say)
    except stack.StackError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None


def status() -> None:
    """Which services run (pid) and whether Neo4j and Redis answer."""
    from graph import db, redis_clients
    from infra import stack

    for name, pid in stack.status(load_settings()).items():
        console.print(f"{name:7} {'running, pid ' + str(pid) if pid else 'stopped'}")
    redis_answers = redis_clients.answers(redis_clients.app())
    console.print(f"neo4j answers: {db.ping()}  redis answers: {redis_answers}")


def load_demo() -> None:
    """Load the generated demo mall (idempotent: a second load only finds duplicates), run
    ring detection once so the risk endpoints have something to show, then show each growth
    lever (lab/demo_levers.py) with the request to look at it."""
    from graph.money import rebates
    from graph.risk import detection, reads
    from lab import demo_levers
    from lab.demo_mall import demo_mall

    events, labels = demo_mall()
    ingest_with_progress([orjson.dumps(e) for e in events], "loading the demo mall", 2000)
    # Every order's rebates before detection (the worker computes them too, once): a ring
    # found while they are still being computed would hold some of them only at the next run.
    orders = [e["order_id"] for e in events if e["type"] == "order_paid"]
    for start in range(0, len(orders), 500):
        rebates.compute_rebates(orders[start:start + 500])
    ring = labels["rings"][0]
    console.print(f"planted ring: {len(ring['members'])} accounts under {ring['organiser']} "
                  f"({', '.join(ring['members'][:4])}, ...)")
    result = detection.detect_and_store(seed=0, actor=shell_actor())
    found = reads.list_rings(0.0, 3, None)
    console.print(f"ring detection: {result['rings']} ring(s) over {result['users']} users"
                  + (f"; top {found[0]['ring_id']} scores {found[0]['score']:.2f} with "
                     f"{found[0]['size']} members" if found else ""))
    settings = load_settings()
    base = f"http://{settings.api_host}:{settings.api_port}"
    keys = {role: next((k for k, r in settings.api_key_roles().items() if r == role), "KEY")
            for role in ("mall", "admin")}
    console.print("growth levers:")
    for shown in demo_levers.show(shell_actor()):
        console.print(f"  [bold]{shown.lever}[/bold]: {shown.summary}", highlight=False)
        # plain print: curl lines must stay whole to be copied
        print(f"    curl -s -H 'Authorization: Bearer {keys[shown.role]}' '{base}{shown.path}'")


def demo() -> None:
    """Load the demo mall into a running stack."""
    load_settings()
    load_demo()
