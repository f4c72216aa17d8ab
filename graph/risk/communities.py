"""Ring detection: communities of the weighted user-user graph, scored (pure: no database).

The only module of detection that imports networkx; docs/detection.md ("Method") tells how
and why each step works as it does.
"""

import os
import pickle
from collections import defaultdict
from collections.abc import Callable, Iterable

import networkx as nx

from graph.risk.projection import Projection
from graph.risk.scoring import DetectedRing, score_communities
from graph.risk.user_graph import (
    Group,
    Index,
    UserGraph,
    build_user_graph,
    dependent_chains,
    shared_groups,
)

RESOLUTION = 0.5
# Communities this large peel members linked to under PEEL_SHARE of the others.
PEEL_FROM = 6
PEEL_SHARE = 0.3
# Components are shared out among this many processes (this one and forked ones) from
# PARALLEL_FROM components on; below that, forking costs more than it saves.
PROCESSES = 2
PARALLEL_FROM = 2000

Progress = Callable[[str, float], None]


def _quiet(stage: str, fraction: float) -> None:
    return None


def detect(projection: Projection, seed: int = 0, progress: Progress | None = None, *,
           algorithm: str = "louvain",
           only: Callable[[Index, UserGraph], set[int]] | None = None,
           processes: int = PROCESSES) -> list[DetectedRing]:
    """Suspicious communities of the projection, highest score first; `algorithm` is
    louvain (the default), leiden (needs the leidenalg dev extra) or label_propagation.
    `only`, given the index and the whole graph, names the users (whole connected
    components) to detect in; the others are left out (an incremental run). `processes`:
    how many processes share the communities and scoring out (the same rings either way)."""
    say = progress or _quiet
    # 1. weight each pair of users by the identifiers they share
    say("index", 0.0)
    index = Index(projection)
    groups = shared_groups(projection, index)
    say("edges", 0.2)
    graph = build_user_graph(groups, index)
    if only is not None:
        graph = graph.restricted(only(index, graph))
    # 2. find communities in the weighted graph, 3. score each and keep those with a reason;
    # the components are independent, so a second process takes half of them
    say("communities", 0.4)
    chains = dependent_chains(groups, index, graph)
    found = _seed_components(graph)
    if processes > 1 and len(found) >= PARALLEL_FROM:
        rings = _in_processes(processes, found, graph, seed, algorithm, chains, groups, index,
                              say)
    else:
        parts = _communities(found, graph, seed, algorithm, say, chains)
        say("scoring", 0.8)
        rings = score_communities(parts, groups, index, graph)
    say("done", 1.0)
    return rings


def _in_processes(processes: int, found: list[list[int]], graph: UserGraph, seed: int,
                  algorithm: str, chains: list[list[int]], groups: list[Group], index: Index,
                  say: Progress) -> list[DetectedRing]:
    """Communities and scores of every `processes`-th component in each of `processes`
    processes (this one and forked children), merged in the order one process gives. A
    shard whose child fails is done here. Plain os.fork: a Celery worker is a daemonic
    process, which multiprocessing refuses children."""

    def shard_rings(shard: int, say: Progress = _quiet) -> list[DetectedRing]:
        parts = _communities(found[shard::processes], graph, seed, algorithm, say, chains)
        say("scoring", 0.8)
        return score_communities(parts, groups, index, graph)

    children = [_fork(shard_rings, shard) for shard in range(1, processes)]
    rings = shard_rings(0, say)
    for shard, child in enumerate(children, start=1):
        found_there = _collect(child)
        rings.extend(shard_rings(shard) if found_there is None else found_there)
    rings.sort(key=lambda r: (-r.score, r.members))
    return rings


def _fork(work: Callable[[int], list[DetectedRing]], shard: int) -> tuple[int, int] | None:
    """A child running work(shard) on a copy of this process, writing the rings (pickled)
    to a pipe: (pid, read end); None where there is no fork."""
    if not hasattr(os, "fork"):
        return None
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, write, and leave without any of the parent's exits
        code = 1
        try:
            os.close(read)
            with os.fdopen(write, "wb") as out:
                pickle.dump(work(shard), out, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    return pid, read


def _collect(child: tuple[int, int] | None) -> list[DetectedRing] | None:
    """The rings a child wrote, or None when there is no child or it failed."""
    if child is None:
        return None
    pid, read = child
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return None
    rings: list[DetectedRing] = pickle.loads(data)
    return rings


def components(nodes: Iterable[int], pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected components (union-find), each sorted, ordered by their smallest node."""
    parent = {n: n for n in nodes}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[int, list[int]] = defaultdict(list)
    for n in sorted(parent):
        members[find(n)].append(n)
    return sorted(members.values(), key=lambda c: c[0])


def _seed_components(graph: UserGraph) -> list[list[int]]:
    """The components communities are found in. Seeds: users sharing a device or payment
    account; then, among the users left, those sharing only addresses (drop addresses of
    people who pay and log in on their own)."""
    nodes = {uid for pair in graph.strong for uid in pair}
    found = components(nodes, graph.strong)
    left = set(graph.adjacency) - nodes
    found += components(left, [p for p in graph.id_edges if p[0] in left and p[1] in left])
    return found


def _communities(found: list[list[int]], graph: UserGraph, seed: int, algorithm: str,
                 say: Progress, chains: list[list[int]]) -> list[list[int]]:
    """Each component of `found` split into communities, each community refined. One
    person's chains of accounts are taken out of their component first, as communities of
    their own, so that a self-referral pair is not merged with the family it lives in."""
    edges_of: dict[int, dict[tuple[int, int], float]] = defaultdict(dict)
    root = {uid: n for n, component in enumerate(found) for uid in component}
    for pair, w in graph.weights.items():
        if pair[0] in root and root[pair[0]] == root.get(pair[1]):
            edges_of[root[pair[0]]][pair] = w
    chain_of = {uid: c for c, chain in enumerate(chains) for uid in chain}
    parts: list[list[int]] = []
    for n, component in enumerate(found):
        edges = edges_of.pop(n, {})
        # a component of two is its own community already
        taken = {uid for uid in component if uid in chain_of} if len(component) > 2 else set()
        communities = [chains[c] for c in sorted({chain_of[uid] for uid in taken})]
        if taken:
            component = [uid for uid in component if uid not in taken]
            edges = {p: w for p, w in edges.items() if p[0] not in taken and p[1] not in taken}
        communities += _split(component, edges, seed, algorithm) if len(component) > 1 else []
        for community in communities:
            parts.extend(_refine(community, graph.adjacency))
        if n % 1000 == 0:
            say("communities", 0.4 + 0.4 * n / len(found))
    return parts


def _split(component: list[int], weights: dict[tuple[int, int], float], seed: int,
           algorithm: str) -> list[list[int]]:
    """Communities of one component, given its edges (two users are one already).

    Seeded, with nodes and edges inserted in sorted order, so a seed gives one answer."""
    if len(component) < 3:
        return [component]
    graph = nx.Graph()
    graph.add_nodes_from(component)
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(weights.items()))
    if algorithm == "leiden":
        found = _leiden(graph, seed)
    elif algorithm == "label_propagation":
        found = nx.community.asyn_lpa_communities(graph, weight="weight", seed=seed)
    else:
        found = nx.community.louvain_communities(graph, weight="weight",
                                                 resolution=RESOLUTION, seed=seed)
    return sorted((sorted(c) for c in found), key=lambda c: c[0])


def _leiden(graph: nx.Graph, seed: int) -> list[list[int]]:
    """Leiden (the leidenalg package, a dev extra) with Louvain's modularity at RESOLUTION."""
    try:
        import igraph
        import leidenalg
    except ImportError as error:
        raise ImportError("algorithm='leiden' needs the leidenalg package (and igraph): "
                          "pip install leidenalg") from error
    nodes = list(graph.nodes)
    position = {node: n for n, node in enumerate(nodes)}
    edges = list(graph.edges(data="weight"))
    ig = igraph.Graph(n=len(nodes), edges=[(position[a], position[b]) for a, b, _ in edges])
    partition = leidenalg.find_partition(
        ig, leidenalg.RBConfigurationVertexPartition, weights=[w for _, _, w in edges],
        resolution_parameter=RESOLUTION, n_iterations=-1, seed=seed)
    return [[nodes[v] for v in community] for community in partition]


def _refine(community: list[int], adjacency: dict[int, list[int]]) -> list[list[int]]:
    """The parts of a community still connected by identifier edges, two users or more,
    after peeling (from PEEL_FROM users) the members linked to under PEEL_SHARE of the
    others: a family hanging on one ring member shares only among itself."""
    members = set(community)
    if len(community) >= PEEL_FROM:
        needed = PEEL_SHARE * (len(community) - 1)
        members = {a for a in community
                   if sum(1 for b in adjacency.get(a, ()) if b in members) >= needed}
    kept = [a for a in community if a in members]
    pairs = [(a, b) for a in kept for b in adjacency.get(a, ()) if a < b and b in members]
    return [part for part in components(kept, pairs) if len(part) >= 2]
