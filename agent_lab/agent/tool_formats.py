"""Tool descriptions in the three formats the lecture notes contrast.

Introduced in notebook 02 (`02_agent_prompt_templates`); notebook 05 samples among them.

- `openai_json`: the OpenAI function object, one JSON line per tool.
- `autogpt`: AutoGPT's one-liner, `Web Search: "web_search", args: "text": ""`.
- `msagent`: the ms-agent numbered list, `1. name: Call this tool to interact with ... Parameters:
  [...]`.
"""

from __future__ import annotations

import json

FORMATS = ("openai_json", "autogpt", "msagent")


def _fn(tool: dict) -> dict:
    return tool.get("function", tool)


def _params(tool: dict) -> tuple[dict, set]:
    params = _fn(tool).get("parameters", {})
    return params.get("properties", {}), set(params.get("required", []))


def openai_json(tools: list[dict]) -> str:
    out = []
    for tool in tools:
        fn = _fn(tool)
        out.append(
            json.dumps(
                {k: fn[k] for k in ("name", "description", "parameters") if k in fn},
                ensure_ascii=False,
            )
        )
    return "\n".join(out)


def autogpt(tools: list[dict]) -> str:
    lines = []
    for i, tool in enumerate(tools, 1):
        fn = _fn(tool)
        props, _ = _params(tool)
        title = fn["name"].replace("_", " ").title()
        args = ", ".join(f'"{k}": "<{v.get("type", "string")}>"' for k, v in props.items())
        lines.append(
            f'{i}. {title}: "{fn["name"]}", args: {args}'
            if args
            else f'{i}. {title}: "{fn["name"]}", args:'
        )
    return "\n".join(lines)


def msagent(tools: list[dict]) -> str:
    lines = []
    for i, tool in enumerate(tools, 1):
        fn = _fn(tool)
        props, required = _params(tool)
        params = [
            {"name": k, "description": v.get("description", ""), "required": str(k in required)}
            for k, v in props.items()
        ]
        lines.append(
            f"{i}. {fn['name']}: Call this tool to interact with the {fn['name']} API. "
            f"What is the {fn['name']} API useful for? {fn.get('description', '')} "
            f"Parameters: {json.dumps(params, ensure_ascii=False)}"
        )
    return "\n\n".join(lines)


def describe(tools: list[dict], fmt: str) -> str:
    """Describe `tools` in format `fmt` (one of FORMATS)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown tool-description format {fmt!r}; choose from {FORMATS}")
    return {"openai_json": openai_json, "autogpt": autogpt, "msagent": msagent}[fmt](tools)


def tool_names(tools: list[dict]) -> list[str]:
    return [_fn(t)["name"] for t in tools]
