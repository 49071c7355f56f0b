"""Counts of what a store holds, for `kg stats`, /health and the VoID description."""
from __future__ import annotations

from .store import KGStore

COUNTS = """
SELECT
  (COUNT(DISTINCT ?paper) AS ?papers) (COUNT(DISTINCT ?method) AS ?methods) (COUNT(DISTINCT ?dataset) AS ?datasets)
  (COUNT(DISTINCT ?task) AS ?tasks) (COUNT(DISTINCT ?metric) AS ?metrics) (COUNT(DISTINCT ?result) AS ?results)
  (COUNT(DISTINCT ?claim) AS ?claims) (COUNT(DISTINCT ?repository) AS ?repositories)
WHERE {
  { ?paper a kg:Paper } UNION { ?method a kg:Method } UNION { ?dataset a kg:Dataset } UNION { ?task a kg:Task }
  UNION { ?metric a kg:Metric } UNION { ?result a kg:Result } UNION { ?claim a kg:Claim }
  UNION { ?repository a kg:Repository }
}"""


def store_stats(store: KGStore) -> dict[str, int]:
    row = store.select(COUNTS)[0]
    stats = {k: int(v or 0) for k, v in row.items()}
    stats["graphs"] = len(store.named_graphs())
    stats["quads"] = len(store)
    stats["triples"] = store.count_union_triples()
    return stats
