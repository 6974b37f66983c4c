"""``make bench``: the throughput benchmark of issue 5 (measure first; see docs/performance.md)."""
