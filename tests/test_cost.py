import pytest

from agent_lab.training import cost, memory


def test_reproduces_the_lecture_notes_cost_table():
    rows = {r["model"]: r for r in cost.cost_table()}
    assert rows["7B"]["cost_yuan"] == 17371.0
    assert rows["14B"]["cost_yuan"] == 26681.9
    assert rows["72B"]["cost_yuan"] == 88939.5
    assert [rows[m]["hours"] for m in ("7B", "14B", "72B")] == [125, 96, 80]


def test_derived_throughput_and_mfu_by_hand():
    rows = {r["model"]: r for r in cost.cost_table()}
    # 7B: 470M tokens x 5 epochs over 125 h x 4 GPUs
    assert rows["7B"]["tokens_per_s_per_gpu"] == pytest.approx(470e6 * 5 / (125 * 3600 * 4))
    assert rows["7B"]["mfu"] == pytest.approx(6 * 7e9 * 1305.5556 / 312e12, rel=1e-5)
    assert rows["72B"]["mfu"] == pytest.approx(6 * 72e9 * (470e6 * 2 / (80 * 3600 * 32)) / 312e12)


def test_estimated_hours_inverts_mfu():
    run = cost.LECTURE_NOTES_RUNS[0]
    hours = cost.estimated_hours(
        run.params, run.tokens * run.epochs, run.gpus, cost.implied_mfu(run)
    )
    assert hours == pytest.approx(run.hours)


def test_zero_stages_shard_the_right_states():
    gb = lambda d: {k: v / 1e9 for k, v in d.items()}  # noqa: E731
    assert gb(cost.state_bytes_per_gpu(1e9, 0, 4)) == {
        "weights": 2,
        "gradients": 2,
        "optimizer": 12,
    }
    assert gb(cost.state_bytes_per_gpu(1e9, 1, 4)) == {"weights": 2, "gradients": 2, "optimizer": 3}
    assert gb(cost.state_bytes_per_gpu(1e9, 2, 4)) == {
        "weights": 2,
        "gradients": 0.5,
        "optimizer": 3,
    }
    assert gb(cost.state_bytes_per_gpu(1e9, 3, 4)) == {
        "weights": 0.5,
        "gradients": 0.5,
        "optimizer": 3,
    }
    with pytest.raises(ValueError):
        cost.state_bytes_per_gpu(1e9, 4, 4)


def test_activation_formula_by_hand():
    shape = cost.ModelShape("toy", 1e6, hidden=128, layers=2, vocab=1000)
    # no checkpointing, no flash: L * s*b*(34h + 5*heads*s) + 4*s*b*V, heads = 1
    assert (
        cost.activation_bytes(shape, 10, 1, checkpointing=False, flash=False)
        == 2 * 10 * (34 * 128 + 5 * 10) + 4 * 10 * 1000
    )
    # checkpointing keeps each layer's input (2h per token) plus one layer's working set
    assert (
        cost.activation_bytes(shape, 10, 1, checkpointing=True, flash=True)
        == 2 * 2 * 10 * 128 + 10 * 34 * 128 + 4 * 10 * 1000
    )


def test_estimates_against_the_lecture_notes_configurations():
    shapes = cost.SHAPES
    assert (
        cost.min_gpus(shapes["Qwen-72B"]) == 32
    )  # the lecture notes: 72B full fine-tuning on 32 x A100-80G
    assert (
        cost.min_gpus(shapes["Qwen-7B"]) <= 4 and cost.min_gpus(shapes["Qwen-14B"]) <= 8
    )  # fits the lecture notes' 4 / 8
    assert cost.memory_per_gpu(shapes["Qwen-7B"], gpus=4)["total"] < 72  # 4 x 80G with headroom
    lora = cost.memory_per_gpu(
        shapes["Qwen-7B"],
        mode="lora",
        zero_stage=0,
        gpus=1,
        seq_len=2048,
        batch=2,
        lora_params=cost.lora_param_count(shapes["Qwen-7B"]),
    )
    assert 17 < lora["total"] < 24  # ms-swift: LoRA on a 7B model at about 22 GB on one GPU
    assert cost.lora_param_count(shapes["Qwen-7B"]) == pytest.approx(20e6, rel=0.05)
    without = cost.memory_per_gpu(shapes["Qwen-7B"], gpus=4, checkpointing=False, flash=False)
    with_ckpt = cost.memory_per_gpu(shapes["Qwen-7B"], gpus=4)
    assert (
        without["activations"] > 10 * with_ckpt["activations"]
    )  # why the lecture notes use checkpointing + FlashAttention
    assert without["total"] > 80 > with_ckpt["total"]
    with pytest.raises(ValueError):
        cost.memory_per_gpu(shapes["Qwen-7B"], mode="qlora")


def test_fp32_states_and_labelled_only_logits():
    from agent_lab.training.cost import (
        SHAPES,
        activation_bytes,
        memory_per_gpu,
        state_bytes_per_gpu,
    )

    n = 1e9
    assert (
        sum(state_bytes_per_gpu(n, 0, 1, "fp32").values())
        == 16 * n
        == sum(state_bytes_per_gpu(n, 0, 1).values())
    )
    assert state_bytes_per_gpu(n, 0, 1, "fp32")["weights"] == 4 * n
    shape = SHAPES["SmolLM2-135M"]
    full = activation_bytes(shape, 512, 4, False, False, "fp32")
    ours = activation_bytes(shape, 512, 4, False, False, "fp32", logit_share=0.25)
    assert full - ours == pytest.approx(0.75 * 4 * 512 * 4 * shape.vocab)
    assert (
        memory_per_gpu(shape, "lora", 0, precision="fp32", lora_params=1e6)["weights"]
        > 4 * shape.params / 1e9
    )
    with pytest.raises(ValueError):
        state_bytes_per_gpu(n, 0, 1, "int8")


def test_memory_planner_picks_a_smaller_micro_batch_when_the_budget_is_small():
    shape = cost.SHAPES["SmolLM2-135M"]

    def lora(micro, ckpt):
        return memory.cpu_training_gb(shape, "lora", 1152, micro, "fp32", ckpt, 4.9e6)["total"]

    roomy = memory.plan_batch(lora, 4, 1, False, 100.0)
    assert (roomy.batch, roomy.accum, roomy.checkpointing) == (4, 1, False)
    small = memory.plan_batch(lora, 4, 1, False, 6.0)  # an 8 GB laptop's free memory
    assert small.batch < 4 and small.batch * small.accum == 4 and not small.checkpointing
    assert small.estimate_gb <= 6.0 and "micro-batch" in small.reason
    tiny = memory.plan_batch(lora, 4, 2, False, lora(1, True) + 0.01)  # only checkpointing fits
    assert (tiny.batch, tiny.accum, tiny.checkpointing) == (1, 8, True)
    hopeless = memory.plan_batch(lora, 4, 1, False, 0.5)
    assert (
        hopeless.checkpointing
        and hopeless.batch == 1
        and "over the 0.5 GB budget" in hopeless.reason
    )
    with pytest.raises(ValueError):
        memory.plan_batch(lora, 0, 1, False, 8.0)


def test_cpu_estimate_grows_with_what_a_step_keeps():
    shape = cost.SHAPES["SmolLM2-135M"]

    def est(**kw):
        return memory.cpu_training_gb(
            shape, **{"method": "lora", "seq_len": 1024, "batch": 1, **kw}
        )["total"]

    assert est(batch=2) > est() > est(seq_len=512)
    assert est(lora_dropout=0.05) > est() > est(checkpointing=True)
    assert est(precision="bf16") < est()
    # LoRA on the top half of the blocks: the half below keeps no activations for the backward pass
    assert est(top_layers=0.5) < est() and est(method="full", top_layers=0.5) == est(method="full")
    # within the measured peaks the constants were fitted on (bench/train_memory.py): 4.37 GB at
    # 1,024 tokens
    assert 3.9 < est(lora_params=4.9e6, logit_share=0.5) < 4.9


def test_the_tighter_of_two_memory_budgets_wins():
    from agent_lab.training.memory import tighter_budget

    assert tighter_budget(5.0, 4.0) == 4.0 and tighter_budget(3.0, 4.0) == 3.0
    assert tighter_budget(None, 4.0) == 4.0 and tighter_budget(5.0, None) == 5.0
    assert tighter_budget(None, None) is None
