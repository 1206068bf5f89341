"""Exports of the training set: HF datasets, ms-swift, LLaMA-Factory sharegpt, ms-agent, OpenAI
fine-tuning.

Introduced in notebook 04 (`04_building_training_data`).

Each writer has a reader that turns its format back into the same `core` view -- query, tool calls
(name, arguments), observations, final answer -- so tests can prove every export round-trips.
Formats without a place for thoughts (ms-swift's `tool_call`, LLaMA-Factory's `function_call`,
OpenAI's `tool_calls`) keep the calls and drop the thoughts; ms-agent keeps them inside the
assistant turn, with the observations, exactly as the lecture notes show.
"""

from __future__ import annotations

import json
from pathlib import Path

from agent_lab.agent.templates import get_template
from agent_lab.files import read_jsonl, write_jsonl
from agent_lab.world.tools import TOOL_SCHEMAS
from agent_lab.world.tools import tool_schemas as world_schemas

FORMATS = ("hf", "ms_swift", "llama_factory", "ms_agent", "openai")


def core(example: dict) -> dict:
    """The format-independent content every export must preserve."""
    return {
        "query": example["query"],
        "calls": [[s["name"], s["arguments"]] for s in example["steps"]],
        "observations": [s["observation"] for s in example["steps"]],
        "final_answer": example["final_answer"],
    }


def tool_schemas(example: dict) -> list[dict]:
    """The OpenAI schemas of the tools an example offers: the simulated world's, or the
    synthesised catalogue's (notebook 05's Tools axis) in the example's language. A name found in
    neither is a `ValueError` naming the example."""
    from agent_lab.data.tool_specs import catalogue_specs

    schemas, specs = [], None
    for name in example["tools"]:
        if name in TOOL_SCHEMAS:
            schemas += world_schemas([name])
            continue
        specs = specs or {s.name: s for s in catalogue_specs()}
        if name not in specs:
            raise ValueError(
                f"example {example.get('id', '?')}: tool {name!r} is neither a world tool nor in "
                "the synthesised catalogue, so its schema cannot be written"
            )
        schemas.append(specs[name].schema(example.get("lang", "en")))
    return schemas


def _functions(example: dict) -> list[dict]:
    return [t["function"] for t in tool_schemas(example)]


# --------------------------------------------------------------------------- writers (one row each)
def _turns(
    example: dict, roles: tuple[str, str, str, str], role_key: str, content_key: str
) -> list[dict]:
    """user query, (call, observation) per step, final answer -- the shape ms-swift and
    LLaMA-Factory share."""
    user, call, observation, final = roles
    turns = [{role_key: user, content_key: example["query"]}]
    for s in example["steps"]:
        turns.append(
            {
                role_key: call,
                content_key: json.dumps(
                    {"name": s["name"], "arguments": s["arguments"]}, ensure_ascii=False
                ),
            }
        )
        turns.append({role_key: observation, content_key: s["observation"]})
    turns.append({role_key: final, content_key: example["final_answer"]})
    return turns


SWIFT_ROLES = ("user", "tool_call", "tool_response", "assistant")
LLAMA_FACTORY_ROLES = ("human", "function_call", "observation", "gpt")


def to_ms_swift(example: dict) -> dict:
    return {
        "tools": json.dumps(tool_schemas(example), ensure_ascii=False),
        "messages": _turns(example, SWIFT_ROLES, "role", "content"),
    }


def to_llama_factory(example: dict) -> dict:
    return {
        "conversations": _turns(example, LLAMA_FACTORY_ROLES, "from", "value"),
        "system": "",
        "tools": json.dumps(_functions(example), ensure_ascii=False),
    }


def to_ms_agent(example: dict) -> dict:
    """The ms-agent `conversations` shown in the ms-swift best practice: ReAct system prompt,
    observations inside the assistant turn."""
    react = get_template("react")
    parts = []
    for s in example["steps"]:
        step = react.render(_step(s))
        parts.append(f"{step}\nObservation: {s['observation']}")
    final = react.render(_final(example))
    return {
        "id": example["id"],
        "conversations": [
            {
                "from": "system",
                "value": react.system_prompt(tool_schemas(example), "msagent"),
            },
            {"from": "user", "value": example["query"]},
            {"from": "assistant", "value": "\n".join(parts + [final])},
        ],
    }


def to_openai(example: dict) -> dict:
    messages = [{"role": "user", "content": example["query"]}]
    for i, s in enumerate(example["steps"]):
        call_id = f"call_{i}"
        messages.append(
            {
                "role": "assistant",
                "content": s.get("thought") or None,
                "tool_calls": [
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {
                            "name": s["name"],
                            "arguments": json.dumps(s["arguments"], ensure_ascii=False),
                        },
                    }
                ],
            }
        )
        messages.append({"role": "tool", "tool_call_id": call_id, "content": s["observation"]})
    messages.append({"role": "assistant", "content": example["final_answer"]})
    out = {"messages": messages}
    if example["tools"]:
        out["tools"] = tool_schemas(example)
    return out


def _step(s: dict):
    from agent_lab.agent.steps import Step

    return Step("tool_call", thought=s.get("thought", ""), name=s["name"], arguments=s["arguments"])


def _final(example: dict):
    from agent_lab.agent.steps import Step

    return Step(
        "final_answer", thought=example.get("final_thought", ""), answer=example["final_answer"]
    )


def to_hf_row(example: dict) -> dict:
    """Arrow needs one schema: nested, tool-specific fields are stored as JSON strings."""
    row = {k: v for k, v in example.items() if k not in ("steps", "messages")}
    row["tool_format"] = row.get("tool_format") or ""
    row["steps"] = json.dumps(example["steps"], ensure_ascii=False)
    row["messages"] = example["messages"]
    return row


WRITERS = {
    "ms_swift": to_ms_swift,
    "llama_factory": to_llama_factory,
    "ms_agent": to_ms_agent,
    "openai": to_openai,
}


# ------------------------------------------------------------------ readers (back to the core view)
def _read_turns(
    turns: list[dict], roles: tuple[str, str, str, str], role_key: str, content_key: str
) -> dict:
    _, call, observation, _ = roles
    calls = [json.loads(t[content_key]) for t in turns if t[role_key] == call]
    return {
        "query": turns[0][content_key],
        "calls": [[c["name"], c["arguments"]] for c in calls],
        "observations": [t[content_key] for t in turns if t[role_key] == observation],
        "final_answer": turns[-1][content_key],
    }


def read_ms_swift(row: dict) -> dict:
    return _read_turns(row["messages"], SWIFT_ROLES, "role", "content")


def read_llama_factory(row: dict) -> dict:
    conv = row["conversations"]
    for i, turn in enumerate(
        conv
    ):  # LLaMA-Factory: human/observation on odd turns, gpt/function_call on even
        expected = ("human", "observation") if i % 2 == 0 else ("gpt", "function_call")
        if turn["from"] not in expected:
            raise ValueError(f"turn {i + 1} is {turn['from']!r}; expected one of {expected}")
    return _read_turns(conv, LLAMA_FACTORY_ROLES, "from", "value")


def read_ms_agent(row: dict) -> dict:
    react = get_template("react")
    text = row["conversations"][2]["value"]
    chunks = text.split("\nObservation: ")
    calls, observations = [], []
    for i, chunk in enumerate(chunks[:-1]):
        if i:  # the observation runs up to the next step's first line
            obs, chunk = chunk.split("\n", 1) if "\n" in chunk else (chunk, "")
            observations.append(obs)
        step = react.parse(chunk)
        calls.append([step.name, step.arguments])
    last = chunks[-1]
    if len(chunks) > 1:
        obs, last = last.split("\n", 1)
        observations.append(obs)
    return {
        "query": row["conversations"][1]["value"],
        "calls": calls,
        "observations": observations,
        "final_answer": react.parse(last).answer,
    }


def read_openai(row: dict) -> dict:
    msgs = row["messages"]
    calls = [
        tc["function"] for m in msgs if m["role"] == "assistant" for tc in m.get("tool_calls") or []
    ]
    return {
        "query": msgs[0]["content"],
        "calls": [[c["name"], json.loads(c["arguments"])] for c in calls],
        "observations": [m["content"] for m in msgs if m["role"] == "tool"],
        "final_answer": msgs[-1]["content"],
    }


def read_hf_row(row: dict) -> dict:
    return core({**row, "steps": json.loads(row["steps"])})


READERS = {
    "ms_swift": read_ms_swift,
    "llama_factory": read_llama_factory,
    "ms_agent": read_ms_agent,
    "openai": read_openai,
    "hf": read_hf_row,
}


def check_examples(rows: list, path) -> list[dict]:
    """Each row must be an object with a non-empty `messages` list of {role, content} strings; the
    first row that is not is an error naming the file and line."""
    for n, row in enumerate(rows, 1):
        messages = row.get("messages") if isinstance(row, dict) else None
        problem = (
            "not an object"
            if not isinstance(row, dict)
            else "no 'messages' list"
            if not isinstance(messages, list) or not messages
            else next(
                (
                    f"message {i} needs string 'role' and 'content'"
                    for i, m in enumerate(messages)
                    if not (
                        isinstance(m, dict)
                        and isinstance(m.get("role"), str)
                        and isinstance(m.get("content"), str)
                    )
                ),
                "",
            )
        )
        if problem:
            raise ValueError(f"{path}:{n}: {problem}")
    return rows


def export_all(examples: list[dict], out_dir: Path, name: str = "train") -> dict[str, Path]:
    """Write every format under `out_dir/<format>/`; returns the paths."""
    from datasets import Dataset

    out_dir = Path(out_dir)
    paths = {}
    for fmt, writer in WRITERS.items():
        paths[fmt] = write_jsonl((writer(ex) for ex in examples), out_dir / fmt / f"{name}.jsonl")
    dataset = Dataset.from_list([to_hf_row(ex) for ex in examples])
    dataset.save_to_disk(str(out_dir / "hf" / name))
    dataset.to_json(str(out_dir / "hf" / f"{name}.jsonl"), force_ascii=False)
    paths["hf"] = out_dir / "hf" / name
    return paths


def read_back(fmt: str, path: Path) -> list[dict]:
    """Read an export and return each row's core view."""
    if fmt == "hf":
        from datasets import load_from_disk

        return [read_hf_row(row) for row in load_from_disk(str(path))]
    return [READERS[fmt](row) for row in read_jsonl(path)]
