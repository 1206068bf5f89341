"""The training entry point: configs, a real smoke run, kill-and-resume, LoRA merging, two
processes."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from agent_lab.course.paths import REPO_ROOT
from agent_lab.training import checkpoints, config, course_data, memory, train
from agent_lab.training.config import adapted_layers
from agent_lab.training.trainer import (
    load_for_training,
    merge_and_save,
    pick_attention,
    pick_precision,
)

RECIPE = ["--config", "configs/train/lora.yaml", "--config", "configs/train/smoke.yaml"]
ENV = {
    **os.environ,
    "HF_HUB_OFFLINE": "1",
    "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "2"),
    "TOKENIZERS_PARALLELISM": "false",
}


def launch(out_dir, *extra, prefix=(sys.executable, "-m", "agent_lab.training.train")):
    return subprocess.Popen(
        [*prefix, *RECIPE, "--output_dir", str(out_dir), *extra],
        cwd=REPO_ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(proc, timeout=600) -> str:
    out, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, out[-3000:]
    return out


def losses(summary) -> dict:
    return {h["step"]: h["loss"] for h in summary["log_history"] if "loss" in h}


def test_config_layers_and_rejects_mistakes(tmp_path):
    cfg = config.load_config(
        ["configs/train/lora.yaml", "configs/train/smoke.yaml"],
        config.parse_set(["training.learning_rate=1e-3", "lora.r=4"]),
    )
    assert cfg["training"]["learning_rate"] == 1e-3 and cfg["lora"] == {
        "r": 4,
        "lora_alpha": 32,
        "lora_dropout": 0.05,
        "target_modules": "all-linear",
    }
    assert (
        cfg["training"]["max_grad_norm"] == 0.5 and cfg["max_length"] == 640
    )  # recipe kept, smoke sizes on top
    with pytest.raises(config.ConfigError, match="unknown config keys"):
        config.load_config([], {"epochs": 3})
    with pytest.raises(config.ConfigError, match="does not exist"):
        config.load_config(["configs/train/nope.yaml"])
    with pytest.raises(config.ConfigError, match="method"):
        config.load_config([], {"method": "qlora"})
    bad = tmp_path / "rows.jsonl"
    bad.write_text('{"id": "a", "messages": []}\n{not json\n')
    with pytest.raises(config.ConfigError, match=r"rows.jsonl:2: not JSON"):
        course_data.read_rows(bad)
    assert (
        train.main(["--config", "configs/train/smoke.yaml", "--set", "training.no_such_argument=1"])
        == 2
    )


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"max_length": 0}, "max_length must be a positive"),
        ({"max_length": "long"}, "max_length must be a positive"),
        ({"data": {"jsnol": "rows.jsonl"}}, r"unknown keys under data: \['jsnol'\]"),
        ({"memory_budget_gb": -1}, "memory_budget_gb"),
        ({"pad_to_multiple_of": 0}, "pad_to_multiple_of must be a positive number"),
        ({"pad_to_multiple_of": "64"}, "pad_to_multiple_of must be a positive number"),
        ({"snapshot_steps": [0]}, "snapshot_steps"),
        ({"trim_memory": "yes"}, "trim_memory must be true or false"),
        ({"trim_above_gb": -1}, "trim_above_gb must be a number of GB, 0 or more"),
        ({"trim_above_gb": "3"}, "trim_above_gb must be a number of GB, 0 or more"),
        ({"lora": {"top_layers": 1.5}}, r"lora.top_layers must be a share of the blocks"),
        ({"lora": {"top_layers": 0.5, "embeddings": True}}, "do not go together"),
    ],
)
def test_config_mistakes_are_named(overrides, message):
    with pytest.raises(config.ConfigError, match=message):
        config.load_config([], overrides)


def test_config_errors_are_one_line_exit_2(tmp_path, capsys):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    for argv in (
        ["--set", "max_length"],
        ["--set", "data.jsonl=" + str(empty)],
        ["--set", "max_length=-5"],
    ):
        assert train.main(["--config", "configs/train/smoke.yaml", *argv]) == 2
        err = capsys.readouterr().err
        assert err.startswith("config error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_resume_skips_a_half_written_checkpoint(tmp_path, capsys):
    (tmp_path / "checkpoint-3").mkdir()
    (tmp_path / "checkpoint-3" / "trainer_state.json").write_text("{}")
    (tmp_path / "checkpoint-6").mkdir()  # killed while writing: no trainer_state.json yet
    (tmp_path / "checkpoint-6" / "model.safetensors").write_text("partial")
    assert checkpoints.last_complete_checkpoint(tmp_path).endswith("checkpoint-3")
    assert "checkpoint-6: incomplete" in capsys.readouterr().out
    assert checkpoints.last_complete_checkpoint(tmp_path / "missing") is None


def test_a_failed_run_is_an_error_not_the_last_runs_summary(tmp_path):
    from agent_lab.training import launch

    (tmp_path / "summary.json").write_text('{"global_step": 99}')  # left by an earlier run
    cfg = config.load_config(["configs/train/smoke.yaml"], {"output_dir": str(tmp_path)})
    cfg["training"]["no_such_argument"] = 1  # the child process stops with a config error
    with pytest.raises(RuntimeError, match="exit code 2") as caught:
        launch.run_subprocess(cfg, echo=lambda line: None)
    assert "config error: training:" in str(caught.value)


def test_a_rerun_resumes_only_the_checkpoints_of_its_own_config(tmp_path, capsys):
    cfg = config.load_config(["configs/train/smoke.yaml"], {"output_dir": str(tmp_path)})
    ckpt_dir = tmp_path / "checkpoints"
    assert checkpoints.resume_point(ckpt_dir, cfg) is None  # a first run records its config
    (ckpt_dir / "checkpoint-2").mkdir()
    (ckpt_dir / "checkpoint-2" / "trainer_state.json").write_text("{}")
    same = {**cfg, "stop_at_step": 1, "merge": False}  # how a run stops is not what it learns
    assert checkpoints.resume_point(ckpt_dir, same).endswith("checkpoint-2")
    other = config.merge(cfg, {"training": {"learning_rate": 0.5}, "max_length": 64})
    assert checkpoints.resume_point(ckpt_dir, other) is None
    said = capsys.readouterr().out
    assert "not resuming" in said and "(changed: max_length, training.learning_rate)" in said
    kept = tmp_path / "checkpoints.old" / "checkpoint-2" / "trainer_state.json"
    assert kept.is_file()  # moved aside, not deleted
    assert json.loads((ckpt_dir / "run_config.json").read_text())["max_length"] == 64
    (ckpt_dir / "run_config.json").unlink()  # checkpoints with no record of their config
    (ckpt_dir / "checkpoint-4").mkdir()
    (ckpt_dir / "checkpoint-4" / "trainer_state.json").write_text("{}")
    assert checkpoints.resume_point(ckpt_dir, other) is None
    assert "no record of their config" in capsys.readouterr().out
    rows = tmp_path / "train.jsonl"  # data named by path: the same path may hold other rows
    rows.write_text('{"id": "a"}\n')
    by_file = {**other, "data": {"jsonl": str(rows)}}
    assert checkpoints.resume_point(ckpt_dir, by_file) is None
    (ckpt_dir / "checkpoint-6").mkdir()
    (ckpt_dir / "checkpoint-6" / "trainer_state.json").write_text("{}")
    assert checkpoints.resume_point(ckpt_dir, by_file).endswith("checkpoint-6")
    rows.write_text('{"id": "b"}\n')
    assert checkpoints.resume_point(ckpt_dir, by_file) is None
    assert "(changed: data_sha256.jsonl)" in capsys.readouterr().out


def test_hardware_choices_on_this_machine():
    assert pick_attention() == (
        "flash_attention_2"
        if torch.cuda.is_available() and __import__("importlib").util.find_spec("flash_attn")
        else "sdpa"
    )
    from agent_lab.training.trainer import cpu_has_fast_bf16

    if (
        not torch.cuda.is_available()
    ):  # CPU: bf16 autocast only where the CPU computes bf16 natively
        assert pick_precision() == ("bf16" if cpu_has_fast_bf16() else "fp32")
    assert pick_attention("eager") == "eager"
    with pytest.raises(ValueError):
        pick_precision("int4")


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_trainer_arguments_accept_each_precision_on_this_machine(tmp_path, precision):
    """bf16 on a CPU is autocast; the Trainer refuses it unless told it trains on the CPU (a run
    on a CPU with native bf16, where `auto` picks bf16, once failed before its first step)."""
    args = train.training_arguments(tmp_path, precision, {"per_device_train_batch_size": 2})
    assert args.bf16 == (precision == "bf16") and args.per_device_train_batch_size == 2
    assert args.use_cpu == (not torch.cuda.is_available())


@pytest.mark.skipif(torch.cuda.is_available(), reason="the CPU-only path")
def test_no_accelerator_guess_printed_on_a_cpu():
    """DeepSpeed guessed the accelerator and printed 'Setting accelerator to CPU ...' into notebook
    06; importing the trainer names the CPU first."""
    pytest.importorskip("deepspeed")
    code = (
        "import agent_lab.training.trainer\n"
        "from deepspeed.accelerator import get_accelerator\n"
        "print(get_accelerator()._name)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DS_ACCELERATOR"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("cpu")
    assert "Setting accelerator" not in done.stdout + done.stderr


def test_merged_lora_folder_gives_the_same_logits(tmp_path, base_model_dir):
    torch.manual_seed(0)
    tok, model, info = load_for_training(str(base_model_dir), "lora", {"lora_dropout": 0.0})
    assert 0 < info["trainable"] < 0.05 * info["total"]
    with (
        torch.no_grad()
    ):  # LoRA starts as a no-op (B = 0); perturb it so merging has something to fold in
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.02)
    ids = tok("Book a flight to Shanghai on Friday.", return_tensors="pt")["input_ids"]
    model.eval()
    with torch.no_grad():
        expected = model(input_ids=ids).logits
    base = AutoModelForCausalLM.from_pretrained(base_model_dir)
    with torch.no_grad():
        assert not torch.allclose(base(input_ids=ids).logits, expected, atol=1e-3)
    out = merge_and_save(model, tok, tmp_path / "model")
    assert (out / "model.safetensors").is_file() and not (out / "adapter_config.json").exists()
    reloaded = AutoModelForCausalLM.from_pretrained(out)
    with torch.no_grad():
        assert torch.allclose(reloaded(input_ids=ids).logits, expected, atol=1e-3)
    assert AutoTokenizer.from_pretrained(out).chat_template


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory):
    """One unbroken smoke run, shared: the smoke test checks it, the kill-and-resume test ends where
    it does. It trims memory (`trim_memory`); the resumed run does not, and must match it."""
    out = tmp_path_factory.mktemp("whole")
    finish(launch(out, "--set", "snapshot_steps=[3,6]", "--set", "trim_memory=true"))
    return out


def test_smoke_run_writes_summary_and_a_servable_model(reference_run):
    summary = json.loads((reference_run / "summary.json").read_text())
    assert summary["global_step"] == 6 and summary["info"]["method"] == "lora"
    assert summary["speed"]["padding_fraction"] < 0.15 and summary["speed"]["tokens_per_s"] > 0
    assert (
        summary["data"]["kept"] > 0
        and summary["data"]["trainable_tokens"] < summary["data"]["tokens"]
    )
    assert summary["eval_after"]["general_loss"] > 0 and summary["eval_before"]["general_loss"] > 0
    logged = [h for h in summary["log_history"] if "loss" in h]
    peak_gb = summary["peak_rss_bytes"] / 1e9
    assert logged and all(
        h["tokens_per_s"] > 0 and 0.2 < h["rss_gb"] <= h["peak_rss_gb"] + 0.01 <= peak_gb + 0.02
        for h in logged
    )  # speed, memory and the peak so far beside each logged loss (notebook 06 plots them)
    peaks = [h["peak_rss_gb"] for h in logged]
    assert peaks == sorted(peaks)
    model_dir = reference_run / "model"
    assert (model_dir / "config.json").is_file() and not (
        model_dir / "adapter_config.json"
    ).exists()
    assert all(v > 0 for v in losses(summary).values())
    if memory.trim_free_memory():  # glibc: a trim after each of the 6 steps, at the least
        assert summary["memory_trims"] >= 6
    # snapshots: plain merged folders, the adapters saved at step k gone; step 6 is the last step,
    # so its snapshot is the final model
    assert summary["snapshots"] == {k: str(reference_run / f"model_step{k}") for k in ("3", "6")}
    assert not list(reference_run.glob("*.adapters"))
    ids = torch.tensor([[1, 504, 3458, 314, 253, 1789]])
    with torch.no_grad():
        final, at_6, at_3 = (
            AutoModelForCausalLM.from_pretrained(reference_run / name)(input_ids=ids).logits
            for name in ("model", "model_step6", "model_step3")
        )
    assert torch.allclose(final, at_6, atol=1e-4) and not torch.equal(final, at_3)


def test_killed_run_resumes_from_its_checkpoint_and_matches(tmp_path, reference_run):
    """SIGKILL a run right after its step-3 checkpoint; the rerun resumes there and ends where an
    unbroken run does (that one trimmed memory, this one does not: the trim changes no number)."""
    broken = tmp_path / "broken"
    proc = launch(broken)
    ckpt = broken / "checkpoints" / "checkpoint-3"
    deadline = time.monotonic() + 300
    while not ((ckpt / "trainer_state.json").is_file() and (ckpt / "rng_state.pth").is_file()):
        assert proc.poll() is None, "the run ended before its first checkpoint"
        assert time.monotonic() < deadline, "no checkpoint after 300 s"
        time.sleep(0.1)
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert not (broken / "summary.json").exists(), "the run finished before it was killed"
    resumed_output = finish(launch(broken))
    summary = json.loads((broken / "summary.json").read_text())
    reference = json.loads((reference_run / "summary.json").read_text())
    assert summary["resumed_from"].endswith("checkpoint-3") and summary["global_step"] == 6
    assert summary["memory_trims"] == 0
    assert resumed_output.count("'loss'") == 3  # only steps 4-6 were trained again
    assert losses(summary)[6] == pytest.approx(losses(reference)[6], rel=1e-3)


def test_two_processes_with_accelerate(tmp_path):
    """Two CPU processes (gloo). In accelerate 1.15 `launch --cpu --num_processes 2` starts ONE
    process, so the multi-process launcher is asked for explicitly (`--multi_gpu`) and the Trainer
    told to stay on CPU."""
    accelerate = [
        sys.executable,
        "-m",
        "accelerate.commands.launch",
        "--multi_gpu",
        "--num_processes",
        "2",
        "--num_cpu_threads_per_process",
        "1",
        "--num_machines",
        "1",
        "--mixed_precision",
        "no",
        "--dynamo_backend",
        "no",
        "-m",
        "agent_lab.training.train",
    ]
    out = finish(
        launch(
            tmp_path,
            "--set",
            "training.save_steps=100",
            "--set",
            "training.max_steps=3",
            "--set",
            "training.use_cpu=true",
            prefix=accelerate,
        )
    )
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["world_size"] == 2 and summary["global_step"] == 3, out[-2000:]
    # each process saw half the batches: the epoch fraction after 3 steps doubles against one
    # process
    epoch = [h["epoch"] for h in summary["log_history"] if "loss" in h][-1]
    assert epoch == pytest.approx(2 * 3 / -(-summary["data"]["kept"] // 2), rel=0.1)
    assert (tmp_path / "model" / "config.json").is_file()


def test_gradient_checkpointing_still_trains_lora(base_model_dir):
    """Checkpointing recomputes activations in backward; the LoRA weights must still get the same
    gradients."""
    from transformers import TrainingArguments

    from agent_lab.training.batches import AgentCollator, encode_examples
    from agent_lab.training.trainer import AgentTrainer

    grads = {}
    for checkpointing in (False, True):
        torch.manual_seed(0)
        tok, model, _ = load_for_training(str(base_model_dir), "lora", {"lora_dropout": 0.0})
        with torch.no_grad():
            for name, p in model.named_parameters():
                if "lora_B" in name:
                    p.normal_(0, 0.02)
        if checkpointing:  # what the Trainer calls (the old name is deprecated in transformers 5)
            if hasattr(model, "activation_checkpointing_enable"):
                model.activation_checkpointing_enable({"use_reentrant": False})
            else:
                model.gradient_checkpointing_enable({"use_reentrant": False})
        model.train()
        ds, _ = encode_examples(
            tok,
            [
                {
                    "id": "x",
                    "messages": [
                        {"role": "user", "content": "Weather in Beijing?"},
                        {"role": "assistant", "content": "Action: get_weather_info"},
                    ],
                }
            ],
        )
        trainer = AgentTrainer(
            model=model,
            args=TrainingArguments(
                output_dir="/tmp/agent-lab-test", report_to="none", remove_unused_columns=False
            ),
        )
        trainer.compute_loss(model, AgentCollator(tok.pad_token_id)([ds[0]])).backward()
        grads[checkpointing] = torch.cat(
            [p.grad.flatten() for n, p in model.named_parameters() if "lora_A" in n]
        )
    assert grads[False].abs().sum() > 0
    assert torch.allclose(grads[False], grads[True], atol=1e-6)


def test_lora_can_adapt_the_embeddings_too(base_model_dir, tmp_path):
    _, plain, info = load_for_training(str(base_model_dir), "lora")
    tok, with_emb, info_emb = load_for_training(str(base_model_dir), "lora", {"embeddings": True})
    assert any("lora_embedding_A" in n for n, _ in with_emb.named_parameters())
    assert not any("lora_embedding_A" in n for n, _ in plain.named_parameters())
    assert info_emb["trainable"] > info["trainable"]
    # SmolLM2 ties input and output embeddings: the merged folder must still be the model that was
    # trained (the output layer reads the base matrix), not one with the delta in both layers.
    torch.manual_seed(0)
    with torch.no_grad():
        for name, p in with_emb.named_parameters():
            if "lora_embedding" in name or "lora_B" in name:
                p.normal_(0, 0.05)
    ids = tok("Weather in Shanghai on Friday?", return_tensors="pt").input_ids
    with torch.no_grad():
        trained = with_emb.eval()(ids).logits
    merged = AutoModelForCausalLM.from_pretrained(
        merge_and_save(with_emb, tok, tmp_path / "model"), dtype=torch.float32
    ).eval()
    with torch.no_grad():
        assert torch.allclose(merged(ids).logits, trained, atol=1e-3)


def test_lora_on_the_top_half_leaves_the_blocks_below_out_of_the_backward_pass(base_model_dir):
    assert adapted_layers(30, 0.5) == list(range(15, 30)) and adapted_layers(4, 0.1) == [3]
    assert adapted_layers(30, 1.0) == list(range(30))
    with pytest.raises(ValueError, match="top_layers"):
        adapted_layers(30, 0)
    _, everywhere, info_all = load_for_training(str(base_model_dir), "lora")
    _, model, info = load_for_training(str(base_model_dir), "lora", {"top_layers": 0.5})
    n = model.config.num_hidden_layers
    trained = [name for name, p in model.named_parameters() if p.requires_grad]
    assert {int(name.split(".layers.")[1].split(".")[0]) for name in trained} == set(
        range(n - n // 2, n)
    )
    # every linear layer of those blocks, as all-linear adapts them
    kinds = {name.split(".lora_")[0].rsplit(".", 1)[-1] for name in trained}
    assert kinds == {
        name.split(".lora_")[0].rsplit(".", 1)[-1]
        for name, p in everywhere.named_parameters()
        if p.requires_grad
    }
    assert 2 * info["trainable"] == info_all["trainable"]
    hidden = model(input_ids=torch.tensor([[1, 2, 3]]), output_hidden_states=True).hidden_states
    # hidden[i] is the input of block i: nothing below the lowest adapted block needs a gradient
    assert not hidden[n - n // 2].requires_grad and hidden[n - n // 2 + 1].requires_grad


def test_a_notebook_shows_the_training_log_thinned():
    """~90 loss dicts of a 2-epoch run become about ten printed lines; the bar carries the loss."""
    from agent_lab.training import launch

    shown, state = [], {}
    lines = ["memory plan: micro-batch 2 x 2 accumulation\n"]
    for step in range(1, 361):
        lines.append(f"progress {step}/360\n")
        if step % 4 == 0:
            lines.append(
                f"{{'loss': '{3 - step / 200:.4f}', 'grad_norm': '1.2', 'epoch': '0.1'}}\n"
            )
    lines.append("{'train_runtime': '2520.1', 'train_loss': '1.9'}\n")
    for line in lines:
        launch.follow(line, state, "run", echo=shown.append)
    losses = [s for s in shown if s.startswith("{'loss'")]
    assert 9 <= len(losses) <= 11 and losses[0].startswith("{'loss': '2.9800'")
    assert shown[0].startswith("memory plan") and shown[-1].startswith("{'train_runtime'")
    assert state["bar"].n == 360 and state["bar"].postfix == "loss=1.2"
    state["bar"].close()


def test_trim_free_memory_hands_freed_heap_back():
    """Every other 64 KiB block freed leaves holes malloc keeps resident; the trim returns them."""
    import psutil

    from agent_lab.training.memory import trim_free_memory

    process = psutil.Process()
    blocks = [bytearray(64 * 1024) for _ in range(4000)]  # 256 MB from the heap, below mmap's cut
    kept = blocks[1::2]
    del blocks
    held = process.memory_info().rss
    if not trim_free_memory():
        pytest.skip("no glibc here: nothing to trim")
    assert held - process.memory_info().rss > 80e6, "the 128 MB freed stayed resident"
    assert len(kept) == 2000


def test_trim_waits_for_its_threshold():
    """`trim_above_gb`: no trim while the process holds less than the threshold, one above it; the
    closing trim (`force`) does not wait."""
    from agent_lab.training.callbacks import TrimMemory, rss_bytes
    from agent_lab.training.memory import trim_free_memory

    if not trim_free_memory():
        pytest.skip("no glibc here: nothing to trim")
    held_gb = rss_bytes() / 1e9
    high = TrimMemory(above_gb=held_gb + 100)
    high.trim()
    assert high.trims == 0
    high.trim(force=True)
    assert high.trims == 1
    low = TrimMemory(above_gb=held_gb / 2)
    low.trim()
    every = TrimMemory()
    every.trim()
    assert low.trims == every.trims == 1
