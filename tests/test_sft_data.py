"""Batches for SFT: padding and packing, the all-masked guard, and the labelled-only loss against
the model's own."""

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, TrainingArguments

from agent_lab.training.batches import AgentCollator, encode_examples, padding_fraction
from agent_lab.training.masking import IGNORE, MaskError, encode
from agent_lab.training.trainer import AgentTrainer

CONV = [
    {"role": "system", "content": "You call tools."},
    {"role": "user", "content": "Weather in Shanghai?"},
    {
        "role": "assistant",
        "content": 'Thought: look it up\nAction: get_weather_info\nAction Input: {"location": '
        '"Shanghai"}',
    },
    {"role": "user", "content": 'Observation: {"ok": true, "result": {"weather": "sunny"}}'},
    {"role": "assistant", "content": "Thought: I now know the final answer\nFinal Answer: Sunny."},
]
SHORT = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]


@pytest.fixture(scope="module")
def tok(base_model_dir):
    return AutoTokenizer.from_pretrained(base_model_dir)


@pytest.fixture(scope="module")
def model(base_model_dir):
    torch.manual_seed(0)
    return AutoModelForCausalLM.from_pretrained(
        base_model_dir, dtype=torch.float32, attn_implementation="sdpa"
    ).eval()


def rows(tok):
    ds, report = encode_examples(
        tok, [{"id": "a", "messages": CONV}, {"id": "b", "messages": SHORT}], 512
    )
    assert report["kept"] == 2 and report["too_long"] == []
    return [ds[0], ds[1]]


def test_encode_examples_drops_and_names_too_long(tok):
    n_short, n_long = len(encode(tok, SHORT).input_ids), len(encode(tok, CONV).input_ids)
    assert n_short < n_long
    ds, report = encode_examples(
        tok, [{"id": "long", "messages": CONV}, {"id": "ok", "messages": SHORT}], n_short
    )
    assert report["too_long"] == ["long"] and ds["example_id"] == ["ok"]
    with pytest.raises(MaskError, match="no example fits"):
        encode_examples(tok, [{"id": "long", "messages": CONV}], n_short)
    with pytest.raises(MaskError, match="example broken: no 'messages'"):
        encode_examples(tok, [{"id": "broken", "text": "x"}], 512)


def test_encode_examples_drops_an_example_whose_prompt_alone_is_too_long(tok):
    # A long tool catalogue in the system prompt, then a short answer: truncation would leave no
    # agent token, so it is too long (named), not a crash that stops the whole training run.
    n_short = len(encode(tok, SHORT).input_ids)
    long_prompt = [{"role": "system", "content": "tool " * 4 * n_short}, *SHORT]
    for drop in (True, False):
        ds, report = encode_examples(
            tok,
            [{"id": "huge-prompt", "messages": long_prompt}, {"id": "ok", "messages": SHORT}],
            2 * n_short,
            drop_truncated=drop,
        )
        assert report["too_long"] == ["huge-prompt"] and ds["example_id"] == ["ok"]
    no_answer = [{"role": "user", "content": "Hi"}]
    with pytest.raises(MaskError, match="example silent: every token is masked"):
        encode_examples(tok, [{"id": "silent", "messages": no_answer}], 512)


def test_pad_collator_shapes_and_padding_count(tok):
    a, b = rows(tok)
    col = AgentCollator(tok.pad_token_id)
    batch = col([a, b])
    n_a, n_b = len(a["input_ids"]), len(b["input_ids"])
    assert batch["input_ids"].shape == (2, n_a)
    assert batch["attention_mask"][1].sum().item() == n_b
    assert (batch["labels"][1, n_b:] == IGNORE).all() and (batch["weights"][1, n_b:] == 0).all()
    assert batch["labels"][0].tolist() == a["labels"]
    assert col.padding_fraction == pytest.approx(1 - (n_a + n_b) / (2 * n_a))


def test_collator_pads_to_a_multiple_of_the_given_width(tok):
    a, b = rows(tok)
    batch = AgentCollator(tok.pad_token_id, pad_to_multiple_of=64)([a, b])
    width = batch["input_ids"].shape[1]
    assert width % 64 == 0 and width - 64 < len(a["input_ids"]) <= width
    assert batch["attention_mask"].sum().item() == len(a["input_ids"]) + len(b["input_ids"])
    assert (batch["labels"][0, len(a["input_ids"]) :] == IGNORE).all()


def test_collator_refuses_all_masked_row_by_id(tok):
    a, _ = rows(tok)
    bad = {**a, "labels": [IGNORE] * len(a["labels"]), "example_id": "t0-00042/react/autogpt"}
    with pytest.raises(MaskError, match="t0-00042/react/autogpt"):
        AgentCollator(tok.pad_token_id)([a, bad])


def test_packed_logits_match_separate_rows(tok, model):
    a, b = rows(tok)
    packed = AgentCollator(tok.pad_token_id, packing=True)([a, b])
    assert packed["input_ids"].shape == (1, len(a["input_ids"]) + len(b["input_ids"]))
    assert (
        packed["position_ids"][0, len(a["input_ids"])].item() == 0
    )  # restarts for the second example
    with torch.no_grad():
        joint = model(
            input_ids=packed["input_ids"], position_ids=packed["position_ids"], use_cache=False
        ).logits[0]
        alone_b = model(input_ids=torch.tensor([b["input_ids"]])).logits[0]
    assert torch.allclose(
        joint[len(a["input_ids"]) :], alone_b, atol=1e-3
    )  # no attention across examples


def test_labelled_only_loss_equals_the_models_own_loss(tok, model):
    a, b = rows(tok)
    batch = AgentCollator(tok.pad_token_id)([a, b])
    trainer = AgentTrainer(
        model=model,
        args=TrainingArguments(
            output_dir="/tmp/agent-lab-test", report_to="none", remove_unused_columns=False
        ),
    )
    with torch.no_grad():
        ours = trainer.compute_loss(model, dict(batch)).item()
        theirs = model(
            input_ids=batch["input_ids"],
            attention_mask=batch["attention_mask"],
            labels=batch["labels"],
        ).loss.item()
    assert ours == pytest.approx(theirs, rel=1e-4)


def test_action_weight_doubles_action_tokens_in_the_loss(tok, model):
    plain = encode(tok, CONV, example_id="w1")
    heavy = encode(tok, CONV, example_id="w2", action_weight=2.0)
    assert plain.labels == heavy.labels
    doubled = [t for t, w in zip(heavy.input_ids, heavy.weights) if w == 2.0]
    assert "get_weather_info" in tok.decode(doubled) and "Sunny" not in tok.decode(doubled)
    col = AgentCollator(tok.pad_token_id)
    trainer = AgentTrainer(
        model=model,
        args=TrainingArguments(
            output_dir="/tmp/agent-lab-test", report_to="none", remove_unused_columns=False
        ),
    )
    feats = [
        {
            "input_ids": e.input_ids,
            "labels": e.labels,
            "weights": e.weights,
            "example_id": e.example_id,
        }
        for e in (plain, heavy)
    ]
    with torch.no_grad():
        loss_plain = trainer.compute_loss(model, col([feats[0]])).item()
        loss_heavy = trainer.compute_loss(model, col([feats[1]])).item()
        logits = model(input_ids=torch.tensor([plain.input_ids])).logits[0, :-1]
        per_token = torch.nn.functional.cross_entropy(
            logits, torch.tensor(plain.labels[1:]), reduction="none"
        )
        w = torch.tensor(heavy.weights[1:])
    assert loss_heavy == pytest.approx((per_token * w).sum().item() / plain.n_trainable, rel=1e-4)
    assert loss_heavy > loss_plain


def test_grouping_by_length_cuts_padding():
    lengths = [200 + (i * 37) % 700 for i in range(400)]
    assert (
        padding_fraction(lengths, 4, grouped=True)
        < 0.01
        < 0.05
        < padding_fraction(lengths, 4, grouped=False)
    )


def test_length_bucket_sampler_covers_every_example_once_per_epoch():
    from agent_lab.training.batches import LengthBucketSampler

    lengths = [200 + (i * 37) % 700 for i in range(103)]
    sampler = LengthBucketSampler(lengths, 4, seed=1)
    first = list(sampler)
    assert sorted(first) == list(range(103)) and max(lengths) in [
        lengths[i] for i in sampler.batches()[0]
    ]
    sampler.set_epoch(1)
    assert list(sampler) != first and sorted(sampler) == list(range(103))
    sampler.set_epoch(0)
    assert list(sampler) == first  # the same epoch gives the same order: what resuming relies on


def test_bucket_batches_survive_the_dataloader_recutting_them():
    from torch.utils.data import DataLoader

    from agent_lab.training.batches import LengthBucketSampler

    lengths = [
        48,
        60,
        61,
        69,
        165,
        167,
        169,
        171,
        182,
        625,
        424,
        435,
        332,
        336,
        256,
    ]  # odd count: one short batch
    sampler = LengthBucketSampler(lengths, 2, seed=0)
    loaded = [
        b.tolist() for b in DataLoader(list(range(len(lengths))), batch_size=2, sampler=sampler)
    ]
    assert loaded == sampler.batches() and len(loaded[-1]) == 1
