"""A fake SPARQL 1.1 Graph Store (`/store?graph=IRI`, `/store?default`): PUT replaces a graph, POST adds to it,
N-Triples only; optionally requires credentials. The real thing (`oxigraph serve`) is used where answers matter;
this one is for what a real store will not do on demand: refuse, fail, or be slow."""
from __future__ import annotations

from .server import Canned, Seen


class GraphStoreApp:
    def __init__(self, authorization: str | None = None):
        self.authorization = authorization  # the exact Authorization header required, if any
        self.graphs: dict[str, list[bytes]] = {}

    def __call__(self, req: Seen) -> Canned:
        if req.path != "/store":
            return Canned(404, "Not Found")
        if self.authorization and req.headers.get("authorization") != self.authorization:
            return Canned(401, "Unauthorized", headers={"WWW-Authenticate": 'Basic realm="store"'})
        if req.headers.get("content-type") != "application/n-triples":
            return Canned(415, f"unsupported media type {req.headers.get('content-type')}")
        graph = req.arg("graph") if "graph" in req.query else ("" if "default" in req.query else None)
        if graph is None:
            return Canned(400, "give ?graph=IRI or ?default")
        lines = [line for line in req.body.splitlines() if line.strip()]
        if req.method == "PUT":
            created = graph not in self.graphs
            self.graphs[graph] = lines
            return Canned(201 if created else 204)
        if req.method == "POST":
            self.graphs.setdefault(graph, []).extend(lines)
            return Canned(204)
        return Canned(405, "Method Not Allowed")
