"""The data quality pipeline: validation with line numbers, dedup, conflicts, balance report,
PII.

Introduced in notebook 04 (`04_building_training_data`); the splits and the 4:1 ratio that follow
these checks are in `agent_lab.data.splits`.

Every step returns what it kept *and* a report of what it removed and why; nothing is dropped
silently.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict

import jsonschema

from agent_lab.files import jsonl_lines
from agent_lab.world.data import PRODUCTS

ROLES = ["system", "user", "assistant"]
EXAMPLE_SCHEMA = {
    "type": "object",
    "required": [
        "id",
        "query",
        "lang",
        "intent",
        "kind",
        "family",
        "template",
        "tools",
        "steps",
        "final_answer",
        "messages",
    ],
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "query": {"type": "string", "minLength": 1},
        "lang": {"enum": ["en", "zh"]},
        "kind": {"enum": ["single", "multi", "recovery", "negative", "general", "self_cognition"]},
        "template": {"type": "string"},
        "tools": {"type": "array", "items": {"type": "string"}},
        "steps": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "arguments", "observation"],
                "properties": {
                    "name": {"type": "string"},
                    "arguments": {"type": "object"},
                    "observation": {"type": "string"},
                },
            },
        },
        "final_answer": {"type": "string", "minLength": 1},
        "messages": {
            "type": "array",
            "minItems": 2,
            "items": {
                "type": "object",
                "required": ["role", "content"],
                "properties": {"role": {"enum": ROLES}, "content": {"type": "string"}},
            },
        },
    },
}
_VALIDATOR = jsonschema.Draft7Validator(EXAMPLE_SCHEMA)


# ---------------------------------------------------------------------------- validation
def validate_example(example) -> str:
    """'' if the example is well formed, else the first problem, naming the field."""
    errors = sorted(_VALIDATOR.iter_errors(example), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        return f"{'.'.join(map(str, e.path)) or '(row)'}: {e.message}"
    if example["messages"][-1]["role"] != "assistant":
        return "messages: the last message must be the assistant's"
    return ""


def validate_jsonl(lines: str | list[str]) -> tuple[list[dict], list[dict]]:
    """Parse and validate JSONL (a text, or its lines). Returns (good rows, report of bad rows with
    1-based line numbers)."""
    good, bad = [], []
    text = lines if isinstance(lines, str) else "\n".join(lines)
    for number, row, error in jsonl_lines(text):
        problem = error or (
            validate_example(row) if isinstance(row, dict) else "row is not a JSON object"
        )
        if problem:
            row_id = row.get("id") if isinstance(row, dict) else None
            bad.append({"line": number, "id": row_id, "error": problem})
        else:
            good.append(row)
    return good, bad


# ---------------------------------------------------------------------------- dedup and conflicts
def normalize(text: str) -> str:
    """NFKC, lower case, punctuation and spaces removed: 'Hello, World!' == 'hello world'."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\W_]+", "", text)


def _output(example: dict) -> str:
    return json.dumps(
        [[s["name"], s["arguments"]] for s in example["steps"]] + [example["final_answer"]],
        ensure_ascii=False,
        sort_keys=True,
    )


def _shingles(text: str, n: int = 3) -> set[str]:
    return {text[i : i + n] for i in range(max(1, len(text) - n + 1))}


def dedupe(examples: list[dict], near_threshold: float = 0.9) -> tuple[list[dict], dict]:
    """Drop exact duplicates (same normalised query, template, format and output) and near
    duplicates (character-trigram Jaccard of query + answer >= threshold, within one intent and
    template)."""
    kept, seen, report = [], set(), {"exact": 0, "near": 0, "removed_ids": []}
    groups: dict[tuple, list[set]] = defaultdict(list)
    for ex in examples:
        key = (normalize(ex["query"]), ex["template"], ex.get("tool_format"), _output(ex))
        if key in seen:
            report["exact"] += 1
            report["removed_ids"].append(ex["id"])
            continue
        seen.add(key)
        sh = _shingles(normalize(ex["query"]) + "|" + normalize(ex["final_answer"]))
        group = groups[(ex["intent"], ex["template"], ex.get("tool_format"))]
        if near_threshold < 1 and any(len(sh & o) / len(sh | o) >= near_threshold for o in group):
            report["near"] += 1
            report["removed_ids"].append(ex["id"])
            continue
        group.append(sh)
        kept.append(ex)
    return kept, report


def find_conflicts(examples: list[dict]) -> list[dict]:
    """Same input (normalised query, template, tools offered) with different outputs."""
    outputs: dict[tuple, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for ex in examples:
        outputs[(normalize(ex["query"]), ex["template"], tuple(sorted(ex["tools"])))][
            _output(ex)
        ].append(ex["id"])
    return [
        {"query_key": key[0], "template": key[1], "ids": [i for ids in outs.values() for i in ids]}
        for key, outs in outputs.items()
        if len(outs) > 1
    ]


def drop_conflicts(examples: list[dict]) -> tuple[list[dict], list[dict]]:
    """Remove every example that takes part in a conflict (we cannot tell which answer is right)."""
    conflicts = find_conflicts(examples)
    bad = {i for c in conflicts for i in c["ids"]}
    return [ex for ex in examples if ex["id"] not in bad], conflicts


# ---------------------------------------------------------------------------- balance and PII
def balance_report(examples: list[dict]) -> dict:
    """Counts per tool called, intent, kind, template, language; and max/min over the tool-using
    intents."""
    per_intent = Counter(ex["intent"] for ex in examples)
    tool_intents = {
        ex["intent"] for ex in examples if ex["kind"] in ("single", "multi", "recovery")
    }
    positive = [per_intent[i] for i in tool_intents]
    return {
        "tool": dict(Counter(s["name"] for ex in examples for s in ex["steps"])),
        "intent": dict(per_intent),
        "kind": dict(Counter(ex["kind"] for ex in examples)),
        "template": dict(Counter(ex["template"] for ex in examples)),
        "lang": dict(Counter(ex["lang"] for ex in examples)),
        "intent_max_over_min": max(positive) / min(positive) if positive else 0.0,
    }


PII_PATTERNS = [  # order matters: an 18-character ID number contains 11-digit runs
    ("ID", re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")),
    ("PHONE", re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")),
    ("EMAIL", re.compile(r"[\w.+-]+@(?!example\.com\b)[\w-]+(?:\.[\w-]+)+")),
]


_CATALOG_CODES = {
    p["sku_code"] for p in PRODUCTS
}  # product codes are data, even when shaped like a phone number


def anonymize_text(text: str, counts: Counter | None = None) -> str:
    """Replace ID numbers, phone numbers and e-mails with <ID>, <PHONE>, <EMAIL>.

    Addresses at example.com belong to the simulated company directory and are kept, and so are the
    catalog's product codes: some look like mobile numbers (18227073452), and masking one would
    leave a query whose answer needs a code it no longer contains.
    """
    for label, pattern in PII_PATTERNS:
        n = 0

        def mask(m: re.Match) -> str:
            nonlocal n
            if m.group(0) in _CATALOG_CODES:
                return m.group(0)
            n += 1
            return f"<{label}>"

        text = pattern.sub(mask, text)
        if counts is not None and n:
            counts[label] += n
    return text


def anonymize(examples: list[dict]) -> tuple[list[dict], dict]:
    """Anonymise the query, answer and every message of each example (in place); returns counts."""
    counts: Counter = Counter()
    for ex in examples:
        ex["query"] = anonymize_text(ex["query"], counts)
        ex["final_answer"] = anonymize_text(ex["final_answer"], counts)
        for m in ex["messages"]:
            m["content"] = anonymize_text(m["content"])
    return examples, dict(counts)
