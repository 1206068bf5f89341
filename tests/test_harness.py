import json
import math

import pytest

from agent_lab import harness


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
    path = harness.save_metrics("99_demo", {"rate": np.float64(0.5), "n": np.int64(3), "d": {"x": [1.0]}}, "smoke")
    assert json.loads(path.read_text())["profile"] == "smoke"
    assert harness.load_metrics("99_demo") == {"rate": 0.5, "n": 3, "d": {"x": [1.0]}}
    with pytest.raises(ValueError, match="not finite"):
        harness.save_metrics("99_demo", {"loss": math.nan})
    assert harness.load_metrics("99_demo")["n"] == 3  # the earlier file is intact
    with pytest.raises(FileNotFoundError, match="did the notebook run"):
        harness.load_metrics("98_missing")
