"""`bench/recipes.py`: every recipe is a valid build and training config; missing BFCL data stop
the bench before it trains; recipes run in processes of their own, and a run stopped while
scoring keeps its trained model."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from agent_lab.course.paths import REPO_ROOT
from agent_lab.data.pipeline import BuildConfig
from agent_lab.training import config

spec = importlib.util.spec_from_file_location("recipes", REPO_ROOT / "bench" / "recipes.py")
recipes = importlib.util.module_from_spec(spec)
spec.loader.exec_module(recipes)

BASE = {
    "build": {"n_train": 1280, "templates": ["react"], "formats": ["autogpt"], "n_synth": 160},
    "general_share": 0.1,
    "eval_examples": 16,
}


def test_every_recipe_is_a_valid_build_and_training_config():
    assert recipes.recipe_data(BASE, "course") == BASE
    for name, (_, build, recipe, overrides) in recipes.RECIPES.items():
        data = recipes.recipe_data(BASE, name)
        assert data["build"] == {**BASE["build"], **build}, name
        made = BuildConfig.from_dict(data["build"])  # a ValueError names a bad field
        assert "toolllama" not in (made.templates or ()), name  # the held-out template
        cfg = config.load_config([recipe], overrides)  # unknown keys are a ConfigError
        assert cfg["method"] in ("lora", "full"), name
    assert BASE["build"]["n_synth"] == 160  # recipe_data leaves the base as it was


def run_bench(base, build, *extra, bfcl_dir=None):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "AGENT_LAB_BUILD": str(build)}
    env["OMP_NUM_THREADS"] = os.environ.get("OMP_NUM_THREADS", "1")
    if bfcl_dir is not None:
        env["AGENT_LAB_BFCL_DIR"] = str(bfcl_dir)
    return subprocess.run(
        [sys.executable, "bench/recipes.py", "--base", str(base), *extra],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )


@pytest.fixture(scope="module")
def small_base(tmp_path_factory):
    from agent_lab.training.course_data import write_course_data

    base = tmp_path_factory.mktemp("recipes") / "06_smoke"
    small = {"n_train": 20, "oversample": 8, "templates": ["react"], "formats": ["autogpt"]}
    write_course_data({"build": small, "general_share": 0.1, "eval_examples": 2}, base)
    return base


def test_a_missing_base_unknown_recipe_or_missing_bfcl_data_stop_before_training(
    tmp_path, small_base
):
    proc = run_bench(tmp_path / "nothing", tmp_path / "build")
    assert proc.returncode == 2 and "run notebook 06 first" in proc.stderr
    proc = run_bench(small_base, tmp_path / "build", "--recipes", "course,huge")
    assert proc.returncode == 2 and "unknown recipes ['huge']" in proc.stderr
    proc = run_bench(small_base, tmp_path / "build", "--recipes", "course", bfcl_dir=tmp_path)
    assert proc.returncode == 1
    assert f"BFCL file {tmp_path / 'BFCL_v4_simple_python.json'} is missing" in proc.stderr
    assert not (tmp_path / "build" / "recipes").exists()  # nothing trained, nothing built


@pytest.mark.model
def test_recipes_run_apart_and_a_run_stopped_while_scoring_keeps_its_model(tmp_path, small_base):
    build = tmp_path / "build"
    args = ("--steps", "1", "--limit", "1", "--suite-limit", "1", "--max-new-tokens", "16")
    proc = run_bench(small_base, build, "--recipes", "course,synth640_r32", "--jobs", "2", *args)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert proc.stdout.count("figures kept") == 2  # each child scored its own recipe
    for name in ("course", "synth640_r32"):
        assert (build / "recipes" / name / "bench.log").is_file()
        kept = json.loads((build / "recipes" / name / "result.json").read_text())
        assert kept["global_step"] == 1 and len(kept["results"]) == 7
        assert all(r["n"] <= 1 for r in kept["results"].values())
    course = json.loads((build / "recipes" / "course" / "result.json").read_text())
    r32 = json.loads((build / "recipes" / "synth640_r32" / "result.json").read_text())
    assert r32["overrides"] == {"lora": {"r": 32, "lora_alpha": 128}} and not course["overrides"]
    assert r32["build"]["n_synth"] == 640 and r32["tokens"] > course["tokens"] > 0

    (build / "recipes" / "course" / "result.json").unlink()  # as if scoring had crashed
    again = run_bench(small_base, build, "--recipes", "course", *args)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert "training kept from" in again.stdout
    assert (build / "recipes" / "course" / "result.json").is_file()


def row(name: str, steps: int, suite_limit: int, accuracy: float) -> dict:
    ident = {"model": "m", "steps": steps, "limit": None, "suite_limit": suite_limit}
    return {"name": name, "identity": ident, "results": {"s": {"accuracy": accuracy}}}


def test_write_adds_a_run_to_recipes_json_and_replaces_only_the_same_measurement():
    machine = {"cpu": "old cpu", "cores": 2}
    old_file = {  # as written before rows carried their machine: one run, settings at the top
        "base": "b0",
        "machine": machine,
        "recipes": [row("course", 128, 32, 0.1), row("json_tools", 128, 32, 0.2)],
        "failed": [],
    }
    gpu = {"base": "b1", "machine": {"cpu": "new cpu", "gpu": "H100"}}
    record = recipes.merged(old_file, [row("json_tools", -1, 100, 0.3)], gpu, [])
    assert [(r["name"], r["identity"]["steps"]) for r in record["recipes"]] == [
        ("course", 128),
        ("json_tools", 128),
        ("json_tools", -1),  # a full epoch is another measurement, beside the 128-step one
    ]
    assert [r["machine"] for r in record["recipes"]] == [machine, machine, gpu["machine"]]
    assert record["recipes"][0]["base"] == "b0" and record["recipes"][2]["base"] == "b1"

    again = recipes.merged(record, [row("course", 128, 32, 0.5)], gpu, ["synth640"])
    courses = [r for r in again["recipes"] if r["name"] == "course"]
    assert len(courses) == 1 and courses[0]["results"]["s"]["accuracy"] == 0.5
    assert courses[0]["machine"] == gpu["machine"] and len(again["recipes"]) == 3
    assert again["failed"] == ["synth640"]


def test_an_unreadable_recipes_json_stops_the_write_and_is_left_as_it_was(tmp_path):
    assert recipes.read_previous(tmp_path / "none.json") is None
    for text in ["{not json", '{"recipes": [{"name": "course"}]}', "[1, 2]"]:
        path = tmp_path / "recipes.json"
        path.write_text(text)
        with pytest.raises(SystemExit, match="recipes.json cannot be read .*nothing was written"):
            recipes.read_previous(path)
        assert path.read_text() == text
    path.write_text(json.dumps({"recipes": [row("course", 128, 32, 0.1)]}))
    assert recipes.read_previous(path)["recipes"][0]["name"] == "course"
