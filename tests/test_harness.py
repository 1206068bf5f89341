import json
import math

import pytest

from agent_lab.course import harness


def test_profiles_exist_and_give_upper_case_parameters():
    for profile in harness.PROFILES:
        for path in harness.notebook_paths():
            params = harness.notebook_parameters(profile, path.stem)
            assert params["PROFILE"] == profile and all(k.isupper() for k in params)


def test_unknown_profile_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match="No profile 'tpu'"):
        harness.load_profile("tpu")


def test_metrics_round_trip_and_refuse_nan(tmp_path, monkeypatch):
    import numpy as np

    monkeypatch.setenv("AGENT_LAB_METRICS_DIR", str(tmp_path))
    path = harness.save_metrics(
        "99_demo", {"rate": np.float64(0.5), "n": np.int64(3), "d": {"x": [1.0]}}, "smoke"
    )
    assert json.loads(path.read_text())["profile"] == "smoke"
    assert harness.load_metrics("99_demo") == {"rate": 0.5, "n": 3, "d": {"x": [1.0]}}
    with pytest.raises(ValueError, match="not finite"):
        harness.save_metrics("99_demo", {"loss": math.nan})
    assert harness.load_metrics("99_demo")["n"] == 3  # the earlier file is intact
    with pytest.raises(FileNotFoundError, match="did the notebook run"):
        harness.load_metrics("98_missing")


def test_readme_table_is_made_from_the_measurement_file():
    """The README's time/memory table must be what `python -m agent_lab.course.harness --readme` makes of the file."""
    path = harness.MEASUREMENTS / "course_cpu.json"
    if not path.is_file():
        pytest.skip("no measured course run committed yet")
    record = json.loads(path.read_text())
    assert set(record["notebooks"]) == {p.stem for p in harness.notebook_paths()}
    for nb in record["notebooks"].values():
        assert nb["seconds"] > 0 and nb["peak_rss_gb"] > 0
    readme = harness.README.read_text()
    table = readme.split(harness.TABLE_BEGIN, 1)[1].split(harness.TABLE_END, 1)[0].strip()
    assert table == harness.course_table(record)


def test_tree_peak_sees_a_child_process():
    import subprocess
    import sys

    with harness.TreePeak(interval=0.05) as peak:
        subprocess.run(
            [sys.executable, "-c", "x = bytearray(300_000_000); import time; time.sleep(0.5)"],
            check=True,
        )
    assert peak.peak > 300_000_000
