"""The benchmark's pure figures: percentiles, rates and ratios."""

import pytest

from harness.bench import stats


def test_percentile_interpolates_between_closest_ranks():
    values = [10, 20, 30, 40, 50]
    assert stats.percentile(values, 0) == 10
    assert stats.percentile(values, 50) == 30
    assert stats.percentile(values, 100) == 50
    assert stats.percentile(values, 25) == 20
    assert stats.percentile(values, 90) == pytest.approx(46)


def test_percentile_ignores_input_order_and_handles_one_value():
    assert stats.percentile([5, 1, 3], 50) == 3
    assert stats.percentile([7], 99) == 7


def test_percentile_of_nothing_is_none_and_out_of_range_is_an_error():
    assert stats.percentile([], 50) is None
    with pytest.raises(ValueError):
        stats.percentile([1], 101)


def test_summary_gives_count_percentiles_and_max():
    s = stats.summary(list(range(1, 101)))
    assert s["count"] == 100
    assert s["p50"] == pytest.approx(50.5)
    assert s["p99"] == pytest.approx(99.01)
    assert s["max"] == 100
    assert stats.summary([]) == {"count": 0, "p50": None, "p95": None, "p99": None, "max": None}


def test_rate_is_zero_without_events_or_time():
    assert stats.rate(100, 2.0) == 50
    assert stats.rate(0, 2.0) == 0
    assert stats.rate(10, 0) == 0


def test_span_rate_counts_intervals_between_first_and_last():
    assert stats.span_rate([0.0, 1.0, 2.0, 3.0, 4.0]) == 1.0
    assert stats.span_rate([3.0]) == 0.0
    assert stats.span_rate([]) == 0.0


def test_peak_rate_is_the_busiest_window():
    stamps = [0.1, 0.2, 0.3, 1.5, 2.1, 2.2]
    assert stats.peak_rate(stamps) == 3
    assert stats.peak_rate(stamps, window=2.0) == 2
    assert stats.peak_rate([]) == 0


def test_ratio_has_no_value_without_a_baseline():
    assert stats.ratio(500, 1000) == 0.5
    assert stats.ratio(500, 0) is None


def test_lags_pair_only_keys_present_in_both():
    assert sorted(stats.lags({"a": 5.0, "b": 7.0, "c": 1.0}, {"a": 4.0, "b": 3.0})) == [1.0, 4.0]


def test_worker_cpu_is_weighed_against_what_postgresql_and_the_harness_spent_in_the_same_burst():
    cpu = {"postgresql": 20.0, "harness (simulated world, SMTP sink)": 30.0, "kafka": 9.0, "intake-0": 5.0, "notify-0": 35.0}
    assert stats.worker_cpu_per_reference(cpu, ["intake-0", "notify-0"]) == pytest.approx(0.8)
    slower_machine = {role: seconds * 1.3 for role, seconds in cpu.items()}
    assert stats.worker_cpu_per_reference(slower_machine, ["intake-0", "notify-0"]) == pytest.approx(0.8)
    assert stats.worker_cpu_per_reference({"intake-0": 5.0}, ["intake-0"]) is None


def test_cores_busy_adds_every_process_over_the_wall_clock():
    assert stats.cores_busy({"intake-0": 2.4, "postgresql": 0.9, "kafka": 0.3}, seconds=2.0) == pytest.approx(1.8)
    assert stats.cores_busy({}, seconds=0.0) is None


def test_an_application_is_served_when_its_case_closed_and_its_last_email_went_out():
    closed = {"a": 10.0, "b": 12.0}
    emails = [("a", 3.0), ("a", 15.0), ("a", 11.0), ("b", 4.0)]
    assert stats.served_at(closed, emails) == {"a": 15.0, "b": 12.0}


def test_an_application_is_not_served_before_its_case_closed_nor_before_every_email_it_is_owed():
    closed = {"a": 10.0, "b": 12.0, "c": 9.0}
    emails = [("a", 11.0), ("a", 14.0), ("b", 5.0), ("d", 6.0)]  # "d" has emails but no closed case
    owed = {"a": 2, "b": 2, "c": 0, "d": 1}
    assert stats.served_at(closed, emails, owed) == {"a": 14.0, "c": 9.0}


def test_a_burst_is_done_when_its_last_email_went_out_not_when_its_last_case_closed():
    # 20,000 cases closed over 73 s, their 97,954 emails still going out until 156 s
    cases = [f"case-{i}" for i in range(20000)]
    closed = {case: 100.0 + 73.0 * (i + 1) / len(cases) for i, case in enumerate(cases)}
    emails = [(case, 100.0 + 156.0 * (i + 1) / len(cases)) for i, case in enumerate(cases)]
    served = stats.served_at(closed, emails, {case: 1 for case in cases})
    figures = stats.completion(100.0, closed, served)
    assert figures["first_submission_to_last_closed_s"] == pytest.approx(73.0)
    assert figures["e2e_apps_per_s"] == pytest.approx(20000 / 73)
    assert figures["first_submission_to_last_served_s"] == pytest.approx(156.0)
    assert figures["served_applications"] == 20000
    assert figures["served_apps_per_s"] == pytest.approx(20000 / 156)


def test_a_burst_with_nothing_served_has_no_served_rate():
    figures = stats.completion(100.0, {"a": 110.0}, {})
    assert figures["served_applications"] == 0
    assert figures["served_apps_per_s"] == 0
    assert figures["first_submission_to_last_served_s"] == 0
    assert figures["e2e_apps_per_s"] == pytest.approx(0.1)
