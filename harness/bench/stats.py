"""Pure figures for the benchmark: percentiles, rates, ratios. No I/O, unit-tested."""

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence


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


def served_at(
    closed: Mapping[Hashable, float],
    emails_sent: Iterable[tuple[Hashable, float]],
    emails_owed: Mapping[Hashable, int] | None = None,
) -> dict:
    """When each application was served: its case closed *and* its last email sent, whichever came
    later. ``closed``: case -> when it closed; ``emails_sent``: (case, when sent) for every email
    sent; ``emails_owed``: case -> the emails the case calls for. A case not closed is not served,
    and (given ``emails_owed``) neither is one with fewer emails sent than it is owed."""
    sent: dict = {}
    for case, at in emails_sent:
        sent.setdefault(case, []).append(at)
    owed = emails_owed or {}
    return {case: max([at, *sent.get(case, ())]) for case, at in closed.items() if len(sent.get(case, ())) >= owed.get(case, 0)}


def completion(
    first_submitted: float, closed: Mapping[Hashable, float], served: Mapping[Hashable, float]
) -> dict[str, float | int]:
    """A burst's throughput counted two ways from the first submission: until the last case closed
    (``e2e_apps_per_s``: cases closed a second), and until the last application was served
    (``served_apps_per_s``; ``served`` as ``served_at`` gives it). In a burst notify is still
    sending long after the last case closed, and an applicant is served only once the emails went out."""
    last_closed = max(closed.values(), default=0.0)
    last_served = max(served.values(), default=first_submitted)
    return {
        "first_submission_to_last_closed_s": last_closed - first_submitted,
        "e2e_apps_per_s": rate(len(closed), last_closed - first_submitted),
        "first_submission_to_last_served_s": last_served - first_submitted,
        "served_applications": len(served),
        "served_apps_per_s": rate(len(served), last_served - first_submitted),
    }


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
