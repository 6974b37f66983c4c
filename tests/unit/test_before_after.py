from harness.bench.before_after import medians


def _run(stage, version, events_per_s, cpu_us, sound=True):
    return {"stage": stage, "version": version, "sound": sound, "events_per_s": events_per_s, "worker_cpu_us_per_input": cpu_us}


def test_medians_are_taken_per_stage_and_version():
    runs = [
        _run("decision", "before", 4000, 160),
        _run("decision", "after", 4800, 125),
        _run("decision", "after", 4300, 120),
        _run("decision", "before", 4600, 165),
        _run("decision", "before", 4700, 155),
        _run("decision", "after", 5300, 135),
    ]
    assert medians(runs) == {
        "decision": {
            "before": {"events_per_s": 4600, "worker_cpu_us_per_input": 160},
            "after": {"events_per_s": 4800, "worker_cpu_us_per_input": 125},
        }
    }


def test_a_drain_without_one_output_per_input_is_left_out_of_the_medians():
    runs = [
        _run("intake", "before", 3800, 220),
        _run("intake", "after", None, 0.0, sound=False),
        _run("intake", "after", 3900, 230),
    ]
    assert medians(runs)["intake"]["after"] == {"events_per_s": 3900, "worker_cpu_us_per_input": 230}
