"""Pure figures for the benchmark: percentiles, rates, ratios. No I/O, unit-tested."""

import math
from collections.abc import Iterable, Sequence


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0..100) by linear interpolation between closest ranks; None if empty."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is not within 0..100")
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    if low == high:
        return float(ordered[low])
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values: Sequence[float]) -> dict[str, float | int | None]:
    """count, p50, p95, p99 and max of ``values``."""
    return {
        "count": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values) if values else None,
    }


def rate(count: int, seconds: float) -> float:
    """Events per second; 0 when nothing happened or no time passed."""
    if count <= 0 or seconds <= 0:
        return 0.0
    return count / seconds


def span_rate(timestamps: Iterable[float]) -> float:
    """Events per second between the first and the last timestamp (seconds); a single event has no span."""
    stamps = list(timestamps)
    if len(stamps) < 2:
        return 0.0
    return rate(len(stamps) - 1, max(stamps) - min(stamps))


def peak_rate(timestamps: Iterable[float], window: float = 1.0) -> float:
    """The highest count in any ``window``-second bucket, per second."""
    buckets: dict[int, int] = {}
    for t in timestamps:
        key = math.floor(t / window)
        buckets[key] = buckets.get(key, 0) + 1
    return max(buckets.values()) / window if buckets else 0.0


def ratio(part: float, whole: float) -> float | None:
    """``part / whole``; None when the whole is zero (no baseline to compare with)."""
    if not whole:
        return None
    return part / whole


def lags(later: dict, earlier: dict) -> list[float]:
    """``later[k] - earlier[k]`` for every key in both (e.g. record timestamps by case id)."""
    return [later[k] - earlier[k] for k in later.keys() & earlier.keys()]


REFERENCE_ROLES = ("postgresql", "harness (simulated world, SMTP sink)")


def worker_cpu_per_reference(cpu_seconds: dict[str, float], workers: Iterable[str]) -> float | None:
    """The workers' CPU seconds over those of PostgreSQL and the harness in the same burst: both do
    the same work whatever the workers run on, so the ratio cancels out how fast the machine was
    during that burst, which on these machines varies by a third from one run to the next."""
    reference = sum(cpu_seconds.get(role, 0.0) for role in REFERENCE_ROLES)
    return ratio(sum(cpu_seconds.get(worker, 0.0) for worker in workers), reference)


def cores_busy(cpu_seconds: dict[str, float], seconds: float) -> float | None:
    """How many of the machine's cores the processes in ``cpu_seconds`` kept busy over ``seconds``."""
    return ratio(sum(cpu_seconds.values()), seconds)
