"""Agent prompt templates and their parsers: ReAct, ModelScope, AutoGPT, ToolLLaMA, chat-template
tools.

Introduced in notebook 02 (`02_agent_prompt_templates`). This module holds ReAct and ToolLLaMA and
the registry (`get_template`); the base class is `agent_lab.agent.template_base.Template`, the JSON
templates are in `agent_lab.agent.json_templates`.

Every template renders a conversation (system prompt from tools, the query, and the history of
steps and observations) and parses model text into a typed `Step` (`agent_lab.agent.steps`): a tool
call, a final answer, a give-up, or a parse error that says what was wrong. `parse` never raises,
and `parse(render(step)) == step` for every step a template can express. Arguments written as Python
literals (single quotes, as in the ms-agent data) are read with `ast.literal_eval`, never `eval`.
"""

from __future__ import annotations

import json

from agent_lab.agent.json_templates import AutoGPT, ChatTemplateTools, ModelScope
from agent_lab.agent.steps import (
    FENCE,
    Step,
    action_name,
    read_object,
    split_fields,
)
from agent_lab.agent.template_base import Template
from agent_lab.agent.tool_formats import describe, tool_names


class ReAct(Template):
    """The ReAct format in the ms-agent wording shown in the ms-swift best practice."""

    name = "react"
    stop = ("Observation:",)
    FORMAT = (
        "Use the following format:\n\n"
        "Thought: you should always think about what to do\n"
        "Action: the action to take, should be one of the above tools[{names}]\n"
        "Action Input: the input to the action\n"
        "Observation: the result of the action\n"
        "... (this Thought/Action/Action Input/Observation can be repeated zero or more times)\n"
        "Thought: I now know the final answer\n"
        "Final Answer: the final answer to the original input question\n"
        "Begin!"
    )

    def system_prompt(self, tools, tool_format=None):
        return (
            "Answer the following questions as best you can. You have access to the following "
            "APIs:\n"
            f"{describe(tools, tool_format or self.tool_format)}\n\n"
            + self.FORMAT.format(names=", ".join(tool_names(tools)))
        )

    def _render(self, step):
        head = f"Thought: {step.thought}\n" if step.thought else ""
        if step.kind == "tool_call":
            arguments = json.dumps(step.arguments, ensure_ascii=False)
            return f"{head}Action: {step.name}\nAction Input: {arguments}"
        if step.kind == "final_answer":
            return f"{head}Final Answer: {step.answer}"
        raise ValueError(f"ReAct cannot express a {step.kind} step")

    def _parse(self, text):
        fields = split_fields(text)
        thought = fields.get("Thought", "")
        if (
            "Action" in fields
            and "Final Answer" in fields
            and list(fields).index("Final Answer") < list(fields).index("Action")
        ):  # an answer given first is the answer; an Action after it is not a call
            return Step("final_answer", thought=thought, answer=fields["Final Answer"])
        if "Action" in fields:
            name = action_name(fields["Action"])
            if not name:
                return Step("parse_error", thought=thought, error="Action is empty")
            raw_args = fields.get("Action Input", "")
            if not FENCE.sub("", raw_args).strip():
                return Step("tool_call", thought=thought, name=name)  # a tool without arguments
            args, error = read_object(raw_args)
            if args is None:
                return Step(
                    "parse_error", thought=thought, name=name, error=f"Action Input: {error}"
                )
            return Step("tool_call", thought=thought, name=name, arguments=args)
        if "Final Answer" in fields:
            return Step("final_answer", thought=thought, answer=fields["Final Answer"])
        return Step("parse_error", thought=thought, error="no 'Action:' or 'Final Answer:' line")


class ToolLLaMA(ReAct):
    """ToolLLaMA: Thought / Action / Action Input; `Finish` gives the answer or gives up and
    restarts."""

    name = "toolllama"
    tool_format = "openai_json"

    def system_prompt(self, tools, tool_format=None):
        finish = {
            "name": "Finish",
            "description": "Call this when you are done: give the final answer, or give up "
            "and restart.",
            "parameters": {
                "type": "object",
                "properties": {
                    "return_type": {
                        "type": "string",
                        "enum": ["give_answer", "give_up_and_restart"],
                    },
                    "final_answer": {"type": "string"},
                },
                "required": ["return_type"],
            },
        }
        return (
            "You are an agent that can use many tools (functions) to do the task below. At each "
            "step, give "
            "your thought about the current state and what to do next, then one function call to "
            "carry it out. "
            "After the call you get its result and are in a new state; analyse it and decide the "
            "next step. "
            "Remember: 1. state changes cannot be undone; if you want to start over, call Finish "
            "with "
            "return_type give_up_and_restart. 2. Keep each thought short, at most five sentences. "
            "3. Finally call Finish with return_type give_answer and your final_answer.\n"
            "You have access to these "
            f"functions:\n{describe(tools, tool_format or self.tool_format)}\n"
            f"{json.dumps(finish)}\n\n"
            "Reply in this format:\nThought: ...\nAction: the function name\nAction Input: a JSON "
            "object\n"
            "Let's begin!"
        )

    def _render(self, step):
        if step.kind == "tool_call":
            return super()._render(step)
        if step.kind == "final_answer":
            args = {"return_type": "give_answer", "final_answer": step.answer}
        elif step.kind == "give_up":
            args = {"return_type": "give_up_and_restart"}
        else:
            raise ValueError(f"ToolLLaMA cannot express a {step.kind} step")
        return super()._render(
            Step("tool_call", thought=step.thought, name="Finish", arguments=args)
        )

    def _parse(self, text):
        step = super()._parse(text)
        if step.kind == "final_answer":  # a bare ReAct Final Answer is not ToolLLaMA's format
            return Step("parse_error", thought=step.thought, error="use Action: Finish to answer")
        if step.kind != "tool_call" or step.name != "Finish":
            return step
        kind = step.arguments.get("return_type")
        if kind == "give_up_and_restart":
            return Step("give_up", thought=step.thought)
        if kind == "give_answer" and isinstance(step.arguments.get("final_answer"), str):
            return Step("final_answer", thought=step.thought, answer=step.arguments["final_answer"])
        return Step(
            "parse_error",
            thought=step.thought,
            name="Finish",
            error="Finish needs return_type give_answer (with final_answer) or give_up_and_restart",
        )


TEMPLATES: dict[str, Template] = {
    t.name: t for t in (ReAct(), ModelScope(), AutoGPT(), ToolLLaMA(), ChatTemplateTools())
}


def get_template(name: str) -> Template:
    if name not in TEMPLATES:
        raise ValueError(f"unknown template {name!r}; choose from {', '.join(TEMPLATES)}")
    return TEMPLATES[name]
