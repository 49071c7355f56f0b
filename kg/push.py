"""Upload every graph of a store to any SPARQL store through the SPARQL 1.1 Graph Store HTTP Protocol.

For each named graph (and the default graph when it holds triples) the triples go as N-Triples to
`{endpoint}?graph=<IRI>` (`{endpoint}?default`): the first chunk with PUT, which replaces the remote graph, further
chunks with POST, which add to it. A graph pushed again is therefore replaced whole, so pushing twice leaves the
remote store as one push did; remote graphs the local store does not have are left alone.

Each request is one document, and a blank node label means a new node in each document: the triples that share
blank nodes are kept in one chunk, so a structure such as an OWL list arrives whole. Requests are retried with
backoff on 5xx, 429 and network errors (the policy of kg.fetch.Http); graphs are sent by a few threads at once.
"""
from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Iterable, Iterator

from pyoxigraph import BlankNode, RdfFormat, Triple, serialize
from requests.auth import HTTPBasicAuth

from .http_client import FetchError, Http, Policy, Reply, UsageError, check_url, public_url
from .store import KGStore

AUTH_ENV = "KG_PUSH_AUTH"  # read when --auth is not given, so credentials need not appear in the process list
NTRIPLES = "application/n-triples"


def parse_auth(value: str | None) -> tuple[HTTPBasicAuth | None, dict[str, str]]:
    """--auth USER:PASSWORD -> HTTP Basic; --auth "Bearer TOKEN" -> an Authorization header."""
    value = value if value is not None else os.environ.get(AUTH_ENV)
    if not value:
        return None, {}
    if value[:7].lower() == "bearer ":
        token = value[7:].strip()
        if not token or any(c.isspace() for c in token):
            raise UsageError('--auth "Bearer TOKEN" needs one token after "Bearer "')
        return None, {"Authorization": f"Bearer {token}"}
    user, colon, password = value.partition(":")
    if not colon or not user:
        raise UsageError('--auth must be USER:PASSWORD or "Bearer TOKEN"')
    return HTTPBasicAuth(user, password), {}


def graph_chunks(triples: Iterable[Triple], size: int) -> Iterator[list[Triple]]:
    """Chunks of at most `size` triples; the triples linked by blank nodes stay together (a chunk is larger than
    `size` only when one such cluster is)."""
    chunk: list[Triple] = []
    linked: list[Triple] = []
    for t in triples:
        if isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode):
            linked.append(t)
            continue
        chunk.append(t)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    for cluster in blank_node_clusters(linked):
        if chunk and len(chunk) + len(cluster) > size:
            yield chunk
            chunk = []
        chunk.extend(cluster)
    if chunk:
        yield chunk


def blank_node_clusters(triples: list[Triple]) -> list[list[Triple]]:
    """The triples grouped by connected blank nodes (union-find), in first-seen order."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def nodes(t: Triple) -> list[str]:
        return [n.value for n in (t.subject, t.object) if isinstance(n, BlankNode)]

    for t in triples:
        first, *rest = nodes(t)
        for other in rest:
            parent[find(other)] = find(first)
        find(first)
    groups: dict[str, list[Triple]] = defaultdict(list)
    for t in triples:
        groups[find(nodes(t)[0])].append(t)
    return list(groups.values())


def graph_url(endpoint: str, graph: str | None) -> tuple[str, dict | None]:
    """URL and query parameters of one graph: `?graph=IRI` (encoded by requests) or `?default`."""
    if graph is None:
        return endpoint + ("&" if "?" in endpoint else "?") + "default", None
    return endpoint, {"graph": graph}


def refusal(reply: Reply, what: str, endpoint: str, has_auth: bool) -> FetchError:
    hints = {
        401: "check --auth" if has_auth else "the store needs credentials: pass --auth USER:PASSWORD or "
                                             '--auth "Bearer TOKEN"',
        403: "the credentials were refused for writing: check --auth and the account's rights",
        404: "is --endpoint the Graph Store URL? (Oxigraph: http://HOST:7878/store; Fuseki: "
             "http://HOST:3030/DATASET/data; GraphDB: http://HOST:7200/repositories/REPO/rdf-graphs/service)",
        405: "the endpoint does not accept writes: is it read-only, or the query endpoint instead of the Graph "
             "Store one?",
        413: "the request is too large for the server: lower --chunk",
        415: "the server does not take N-Triples on this URL: is --endpoint the Graph Store URL?",
    }
    message = f"{what}: {public_url(endpoint)} answered HTTP {reply.status} {reply.reason}".rstrip()
    if reply.body and reply.status not in (401, 403):
        message += f": {reply.snippet()}"
    hint = hints.get(reply.status, "see the server's message above")
    return FetchError(f"{message}. {hint}")


class Pusher:
    """Pushes graphs on a few threads, each with its own HTTP session."""

    def __init__(self, store: KGStore, endpoint: str, policy: Policy, console, *, chunk: int, auth=None,
                 headers: dict[str, str] | None = None):
        self.store, self.endpoint, self.policy, self.console = store, endpoint, policy, console
        self.chunk, self.auth, self.headers = chunk, auth, headers or {}
        self.local = threading.local()
        self.clients: list[Http] = []
        self.lock = threading.Lock()
        self.triples_sent = 0
        self.graphs_done = 0
        self.total = 0

    def client(self) -> Http:
        http = getattr(self.local, "http", None)
        if http is None:
            http = self.local.http = Http(self.policy, self.console, auth=self.auth, headers=self.headers)
            with self.lock:
                self.clients.append(http)
        return http

    def triples(self, graph: str | None) -> Iterator[Triple]:
        if graph is None:
            return iter(self.store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", union=False, prefixes=False))
        return (q.triple for q in self.store.quads(graph))

    def push_graph(self, graph: str | None) -> int:
        http = self.client()
        url, params = graph_url(self.endpoint, graph)
        name = f"graph <{graph}>" if graph else "the default graph"
        sent = 0
        for n, part in enumerate(graph_chunks(self.triples(graph), self.chunk)):
            method = "PUT" if n == 0 else "POST"  # PUT replaces the remote graph, POST adds to it
            what = f"{method} {name}" + (f" (part {n + 1})" if n else "")
            body = serialize(part, format=RdfFormat.N_TRIPLES)
            reply = http.request(method, url, what=what, params=params, data=body, headers={"Content-Type": NTRIPLES})
            if not reply.ok:
                raise refusal(reply, what, self.endpoint, self.auth is not None or bool(self.headers))
            sent += len(part)
            with self.lock:
                self.triples_sent += len(part)
                self.console.progress("push", self.triples_sent, self.total)
        with self.lock:
            self.graphs_done += 1
        self.console.detail(f"pushed {name}: {sent:,} triples")
        return sent

    def run(self, graphs: list[str | None], parallel: int) -> None:
        self.total = len(self.store)
        try:
            if parallel <= 1:
                for g in graphs:
                    self.push_graph(g)
                return
            with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="kg-push") as pool:
                futures = [pool.submit(self.push_graph, g) for g in graphs]
                done, pending = wait(futures, return_when=FIRST_EXCEPTION)
                for f in pending:
                    f.cancel()
                for f in futures:
                    if f.done() and not f.cancelled() and f.exception() is not None:
                        raise f.exception()  # type: ignore[misc]
        finally:
            for http in self.clients:
                http.close()

    @property
    def requests_sent(self) -> int:
        return sum(h.requests_sent for h in self.clients)


def default_graph_size(store: KGStore) -> int:
    rows = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", union=False, prefixes=False)
    return int(next(iter(rows))["n"].value)


def run_push(args, console) -> int:
    """`kg push --store DIR --endpoint URL`: 0 when every graph arrived, 1 when the remote store failed, 2 on
    usage errors."""
    try:
        endpoint = check_url(args.endpoint, "--endpoint")
        if args.chunk < 1:
            raise UsageError("--chunk must be at least 1 triple")
        if args.timeout <= 0 or args.retries < 0:
            raise UsageError("--timeout must be more than 0 s and --retries 0 or more")
        parallel = getattr(args, "parallel", 4)
        if parallel < 1:
            raise UsageError("--parallel must be at least 1")
        auth, headers = parse_auth(args.auth)
    except UsageError as err:
        console.error(f"kg push: {err}")
        return 2
    store = KGStore.open(args.store)  # StoreError -> exit 2 in the CLI
    graphs: list[str | None] = list(store.named_graphs())
    if default_graph_size(store):
        graphs.insert(0, None)
    if not graphs:
        console.error(f"kg push: the store at {args.store} is empty; nothing to push. Build it first with "
                      f"`kg build INPUT --store {args.store}`")
        return 1
    policy = Policy(timeout=args.timeout, retries=args.retries, backoff=getattr(args, "backoff", 1.0))
    pusher = Pusher(store, endpoint, policy, console, chunk=args.chunk, auth=auth, headers=headers)
    t = time.perf_counter()
    try:
        pusher.run(graphs, parallel)
    except FetchError as err:
        console.error(f"kg push: {err}")
        console.error(f"kg push: {pusher.graphs_done} of {len(graphs)} graphs were pushed before the error; the "
                      "graph that failed may hold part of its triples on the remote store. Run the same `kg push` "
                      "again once the cause is fixed: it replaces each graph whole")
        return 1
    seconds = time.perf_counter() - t
    console.info(f"pushed {len(graphs):,} graphs, {pusher.triples_sent:,} triples to {public_url(endpoint)} in "
                 f"{seconds:.1f} s ({pusher.requests_sent:,} requests)")
    return 0


__all__ = ["run_push", "graph_chunks", "blank_node_clusters", "parse_auth", "Pusher"]
