"""The public Berkeley Function Calling Leaderboard (BFCL) test data, and its AST check.

Introduced for notebook 07 (`07_evaluation`); evaluation only -- never train or tune prompts on it.

The data sit in `../shared/external/bfcl/` (Apache-2.0): one JSON object per line with `question`
(chat turns) and `function` (JSON-schema-like tool specs); `possible_answer/` holds, per case, the
accepted values of every argument. The check follows BFCL's AST rules, simplified to one call:

- the function name must be one of the ground truth's;
- every required parameter present, no parameter the function does not declare;
- each value of the declared type (an int is accepted where a float is declared);
- each value among the accepted ones; a parameter whose accepted list contains "" may be left out.
  Strings compare case- and space-insensitively, ignoring `,./-_*^` as BFCL does.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from agent_lab.course.paths import REPO_ROOT

BFCL_DIR = Path(
    os.environ.get("AGENT_LAB_BFCL_DIR", REPO_ROOT.parent / "shared" / "external" / "bfcl")
)
CATEGORIES = ("simple_python", "multiple", "irrelevance")
_TYPES = {
    "integer": (int,),
    "float": (int, float),
    "number": (int, float),
    "string": (str,),
    "boolean": (bool,),
    "array": (list, tuple),
    "tuple": (list, tuple),
    "dict": (dict,),
    "object": (dict,),
    "any": (object,),
}


def _read_lines(path: Path) -> list[dict]:
    from agent_lab.files import read_jsonl

    try:
        return read_jsonl(path)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"BFCL file {path} is missing (expected the public data in {BFCL_DIR})"
        ) from None


def load_cases(
    category: str, limit: int | None = None, directory: Path | None = None
) -> list[dict]:
    """Cases of one category, each with its `ground_truth` attached (None for `irrelevance`)."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown BFCL category {category!r}; choose from {CATEGORIES}")
    root = Path(directory or BFCL_DIR)
    cases = _read_lines(root / f"BFCL_v4_{category}.json")[:limit]
    if category != "irrelevance":
        answers = {
            a["id"]: a["ground_truth"]
            for a in _read_lines(root / "possible_answer" / f"BFCL_v4_{category}.json")
        }
        for case in cases:
            if case["id"] not in answers:
                raise ValueError(f"BFCL case {case['id']} has no possible answer")
            case["ground_truth"] = answers[case["id"]]
    return cases


def check_data(directory: Path | None = None) -> None:
    """A `FileNotFoundError` naming the first BFCL file that is missing: the benches call it before
    they train or load anything, so a missing folder costs seconds, not a training run."""
    for category in CATEGORIES:
        load_cases(category, limit=1, directory=directory)


def _norm(value):
    if isinstance(value, str):
        return re.sub(r"[ ,./\-_*^]", "", value).lower()
    if isinstance(value, (list, tuple)):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    return value


def _type_ok(value, declared: str) -> bool:
    if isinstance(value, bool) and declared in ("integer", "float", "number"):
        return False  # bool is an int subclass in Python; BFCL does not accept it as a number
    return isinstance(value, _TYPES.get(declared, (object,)))


def ast_check(
    name: str, arguments: dict, functions: list[dict], ground_truth: list[dict]
) -> tuple[bool, str]:
    """(passed, reason) for one call against a BFCL case's functions and possible answers."""
    if not isinstance(arguments, dict):
        return False, "arguments are not an object"
    accepted = {fn: params for item in ground_truth for fn, params in item.items()}
    if name not in accepted:
        return False, f"wrong function {name!r} (expected {sorted(accepted)})"
    spec = next((f for f in functions if f["name"] == name), None)
    if spec is None:
        return False, f"function {name!r} is not offered"
    props = spec.get("parameters", {}).get("properties", {})
    for param in spec.get("parameters", {}).get("required", []):
        if param not in arguments:
            return False, f"missing required parameter {param!r}"
    for param, value in arguments.items():
        if param not in props:
            return False, f"unexpected parameter {param!r}"
        if not _type_ok(value, props[param].get("type", "any")):
            return (
                False,
                f"parameter {param!r}: {type(value).__name__} is not {props[param].get('type')}",
            )
        allowed = accepted[name].get(param, [])
        if allowed and _norm(value) not in [_norm(a) for a in allowed]:
            return False, f"parameter {param!r}: {value!r} not among {allowed}"
    for param, allowed in accepted[name].items():
        if param not in arguments and "" not in allowed:
            return False, f"missing parameter {param!r}"
    return True, ""
