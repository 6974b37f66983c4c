"""The benchmark's summary line: every figure the runs are compared by, the served one included."""

from harness.bench.__main__ import summary_line


def _latency(p99: float) -> dict:
    return {"intake": {"p99": p99}, "notify": {"p99": p99 / 2}}


def test_the_summary_line_gives_applications_closed_and_served_a_second_beside_the_other_figures():
    figures = {
        "baselines": {"kafka_loop": {"events_per_s": 10000.0}},
        "stage_alone": {"intake": {"events_per_s": 2500.0}, "notify": {"events_per_s": 500.0}},
        "runs": [
            {
                "e2e_apps_per_s": 273.4,
                "served_apps_per_s": 128.2,
                "latency_ms": _latency(900.0),
                "peak_rss_mb": {"notify-0": 150.4},
            },
            {
                "paced_rate": 10.0,
                "e2e_apps_per_s": 10.0,
                "served_apps_per_s": 9.9,
                "latency_ms": _latency(61.0),
                "peak_rss_mb": {"notify-0": 90.0},
            },
        ],
    }
    assert summary_line(figures) == (
        "e2e_apps_per_s=273.4 served_apps_per_s=128.2 stage_min_ratio_vs_kafka_loop=0.050 p99_stage_ms=61 max_rss_mb=150"
    )
