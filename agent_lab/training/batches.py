"""Training batches for agent SFT: encoded examples, padded or packed, with padding accounted for.

Introduced in notebook 06 (`06_training_full_vs_lora`); `agent_lab.training.train` and
`bench/train_throughput.py` use it.

`encode_examples` turns the course's example dicts (or any `{"id", "messages"}` rows) into a
`datasets.Dataset` of `input_ids`, `labels`, `weights` and `length`, masks built by
`agent_lab.training.masking`. `AgentCollator` makes a batch two ways:

- padded (`packing=False`): rows padded on the right to the longest one; with `LengthBucketSampler`
  (what `AgentTrainer` uses for `train_sampling_strategy: group_by_length`), rows of similar length
  meet and padding stays under 1 %;
- packed (`packing=True`): the rows laid end to end in one row with restarting `position_ids`,
  which transformers turns into a block-diagonal attention mask (only with `use_cache=False` and no
  `attention_mask`: a test checks it): no padding at all.

Either way the collator refuses an example with no trainable label (naming it).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from agent_lab.training.masking import IGNORE, MaskError, check_batch, encode, n_tokens


def encode_examples(
    tokenizer,
    examples: list[dict],
    max_length: int = 1024,
    action_weight: float = 1.0,
    drop_truncated: bool = True,
):
    """A `datasets.Dataset` ready for `AgentCollator`, and a report of what was dropped and why.

    An example longer than `max_length` would lose its last turns (usually the final answer) to
    truncation; by default it is dropped and named in the report rather than trained half-cut.
    One whose prompt alone is longer (a big tool catalogue) is always dropped and named: cut to
    fit, it would have no agent token left to learn from.
    A row without `messages` is an error naming the row.
    """
    from datasets import Dataset

    rows = {"input_ids": [], "labels": [], "weights": [], "length": [], "example_id": []}
    report = {
        "examples": len(examples),
        "kept": 0,
        "too_long": [],
        "trainable_tokens": 0,
        "tokens": 0,
    }
    for i, ex in enumerate(examples):
        example_id = str(ex.get("id", f"row {i}"))
        if not isinstance(ex.get("messages"), list) or not ex["messages"]:
            raise MaskError(f"example {example_id}: no 'messages' list to train on")
        try:
            enc = encode(
                tokenizer,
                ex["messages"],
                max_length=max_length + 1,
                example_id=example_id,
                action_weight=action_weight,
            )
            if len(enc.input_ids) > max_length and not drop_truncated:
                enc = encode(
                    tokenizer,
                    ex["messages"],
                    max_length=max_length,
                    example_id=example_id,
                    action_weight=action_weight,
                )
        except MaskError:
            # A prompt longer than max_length leaves no agent token after truncation: that is
            # a too-long example, not a broken one. A short example with nothing to learn is.
            if n_tokens(tokenizer, ex["messages"]) <= max_length:
                raise
            report["too_long"].append(example_id)
            continue
        if len(enc.input_ids) > max_length:
            report["too_long"].append(example_id)
            continue
        rows["input_ids"].append(enc.input_ids)
        rows["labels"].append(enc.labels)
        rows["weights"].append(enc.weights)
        rows["length"].append(len(enc.input_ids))
        rows["example_id"].append(example_id)
        report["trainable_tokens"] += enc.n_trainable
        report["tokens"] += len(enc.input_ids)
    report["kept"] = len(rows["input_ids"])
    if not report["kept"]:
        raise MaskError(
            f"no example fits in max_length={max_length} tokens "
            f"({len(report['too_long'])} too long); raise max_length or shorten the prompts"
        )
    return Dataset.from_dict(rows), report


@dataclass
class AgentCollator:
    """Pads (or packs) encoded rows into tensors; counts real and padding tokens as it goes."""

    pad_token_id: int
    packing: bool = False
    pad_to_multiple_of: int | None = None
    real_tokens: int = 0
    padded_tokens: int = 0

    def __call__(self, features: list[dict]) -> dict:
        ids = [f.get("example_id", "?") for f in features]
        check_batch([f["labels"] for f in features], ids)
        batch = self._pack(features) if self.packing else self._pad(features)
        self.real_tokens += sum(len(f["input_ids"]) for f in features)
        self.padded_tokens += batch["input_ids"].numel()
        return batch

    def _pad(self, features: list[dict]) -> dict:
        width = max(len(f["input_ids"]) for f in features)
        if self.pad_to_multiple_of:
            width = -(-width // self.pad_to_multiple_of) * self.pad_to_multiple_of
        n = len(features)
        input_ids = torch.full((n, width), self.pad_token_id, dtype=torch.long)
        labels = torch.full((n, width), IGNORE, dtype=torch.long)
        weights = torch.zeros((n, width), dtype=torch.float32)
        attention = torch.zeros((n, width), dtype=torch.long)
        for row, f in enumerate(features):
            k = len(f["input_ids"])
            input_ids[row, :k] = torch.tensor(f["input_ids"])
            labels[row, :k] = torch.tensor(f["labels"])
            weights[row, :k] = torch.tensor(f["weights"], dtype=torch.float32)
            attention[row, :k] = 1
        return {
            "input_ids": input_ids,
            "attention_mask": attention,
            "labels": labels,
            "weights": weights,
        }

    def _pack(self, features: list[dict]) -> dict:
        """One row; `position_ids` restart at 0 for each example, so attention never crosses
        examples.

        The first label of every example is masked: in the packed row its predecessor is the
        previous example's last token (it is a template token that is never trainable anyway).
        """
        input_ids, labels, weights, positions = [], [], [], []
        for f in features:
            input_ids += f["input_ids"]
            labels += [IGNORE] + list(f["labels"][1:])
            weights += [0.0] + list(f["weights"][1:])
            positions += list(range(len(f["input_ids"])))
        return {
            "input_ids": torch.tensor([input_ids]),
            "position_ids": torch.tensor([positions]),
            "labels": torch.tensor([labels]),
            "weights": torch.tensor([weights], dtype=torch.float32),
        }

    @property
    def padding_fraction(self) -> float:
        return 1 - self.real_tokens / self.padded_tokens if self.padded_tokens else 0.0


class LengthBucketSampler(torch.utils.data.Sampler):
    """Batches of length-neighbours, visited in random order: padding well under 1 %.

    The epoch's examples are sorted by length (ties in random order), cut into batches of
    `batch_size`, and the batches shuffled -- the longest one first, so that running out of memory
    happens at step 1, not at hour 3. (transformers' `group_by_length` sorts only within
    mega-batches of at most 50 batches; on a few hundred examples that left 4-5 % padding.)
    """

    def __init__(self, lengths: list[int], batch_size: int, seed: int = 0):
        self.lengths, self.batch_size, self.seed, self.epoch = list(lengths), batch_size, seed, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.lengths)

    def batches(self) -> list[list[int]]:
        g = torch.Generator().manual_seed(self.seed + self.epoch)
        order = sorted(
            torch.randperm(len(self.lengths), generator=g).tolist(), key=lambda i: -self.lengths[i]
        )
        chunks = [order[k : k + self.batch_size] for k in range(0, len(order), self.batch_size)]
        if len(chunks) < 2:
            return chunks
        # the DataLoader re-cuts the flat order into batches: only the last one may be short
        last = chunks.pop() if len(chunks[-1]) < self.batch_size else None
        middle = [chunks[i] for i in (torch.randperm(len(chunks) - 1, generator=g) + 1).tolist()]
        return [chunks[0]] + middle + ([last] if last else [])

    def __iter__(self):
        return iter([i for batch in self.batches() for i in batch])


def padding_fraction(lengths: list[int], batch_size: int, grouped: bool, seed: int = 0) -> float:
    """Share of padding tokens when `lengths` are batched at random or by `LengthBucketSampler`."""
    if grouped:
        batches = LengthBucketSampler(lengths, batch_size, seed).batches()
    else:
        order = torch.randperm(len(lengths), generator=torch.Generator().manual_seed(seed)).tolist()
        batches = [order[k : k + batch_size] for k in range(0, len(order), batch_size)]
    real = sum(lengths)
    padded = sum(max(lengths[i] for i in b) * len(b) for b in batches)
    return 1 - real / padded if padded else 0.0
