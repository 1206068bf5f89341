"""Templates whose tool calls are JSON: ModelScope and chat-template tool calling (a JSON object
between tags; plain text is the answer) and AutoGPT (every reply one strict JSON object).

Introduced in notebook 02 (`02_agent_prompt_templates`); `agent_lab.agent.templates` registers them.
"""

from __future__ import annotations

import json

from agent_lab.agent.steps import (
    Step,
    first_object,
    read_object,
)
from agent_lab.agent.template_base import Template
from agent_lab.agent.tool_formats import describe


class TaggedCall(Template):
    """Shared by ModelScope and chat-template tool calling: plain text is the answer; a tool call is
    a JSON object between START and END tags, its name and arguments under the first of
    NAME_KEYS/ARGS_KEYS."""

    START = END = PAD = ""  # PAD goes between the tags and the JSON
    NAME_KEYS: tuple[str, ...] = ("name",)
    ARGS_KEYS: tuple[str, ...] = ("arguments",)

    def _render(self, step):
        if step.kind == "tool_call":
            call = json.dumps(
                {self.NAME_KEYS[0]: step.name, self.ARGS_KEYS[0]: step.arguments},
                ensure_ascii=False,
            )
            block = f"{self.START}{self.PAD}{call}{self.PAD}{self.END}"
            return f"{step.thought}\n{block}" if step.thought else block
        if step.kind == "final_answer":
            return step.answer
        raise ValueError(f"{self.name} cannot express a {step.kind} step")

    def _parse(self, text):
        if self.START not in text:
            if self.END in text:
                return Step("parse_error", error=f"{self.END} without {self.START}")
            return Step("final_answer", answer=text.strip())
        thought, rest = text.split(self.START, 1)
        thought = thought.strip()
        blob, _ = first_object(rest)  # by balanced braces: an end tag inside a string value is kept
        if blob is None or self.END not in rest[rest.index(blob) + len(blob) :]:
            if self.END not in rest:
                return Step(
                    "parse_error", thought=thought, error=f"{self.START} without {self.END}"
                )
            blob = rest.split(self.END, 1)[0]
        call, error = read_object(blob)
        if call is None:
            return Step("parse_error", thought=thought, error=f"tool call: {error}")
        name = next((call[k] for k in self.NAME_KEYS if k in call), None)
        args = next((call[k] for k in self.ARGS_KEYS if k in call), {})
        if isinstance(args, str):  # OpenAI-style arguments given as a JSON string
            args, error = read_object(args, strict=True)
            if args is None:
                return Step("parse_error", thought=thought, error=f"arguments: {error}")
        if not isinstance(name, str) or not name.strip():
            return Step(
                "parse_error", thought=thought, error=f"tool call has no {self.NAME_KEYS[0]}"
            )
        if not isinstance(args, dict):
            return Step(
                "parse_error",
                thought=thought,
                name=name,
                error=f"{self.ARGS_KEYS[0]} is not an object",
            )
        return Step("tool_call", thought=thought, name=name, arguments=args)


class ModelScope(TaggedCall):
    """ModelScope-Agent: a tool call is a JSON block between <|startofthink|> and <|endofthink|>."""

    name = "modelscope"
    tool_format = "openai_json"
    START, END = "<|startofthink|>", "<|endofthink|>"
    NAME_KEYS, ARGS_KEYS = ("command_name", "api_name"), ("args", "parameters")
    stop = ("<|startofexec|>",)

    def system_prompt(self, tools, tool_format=None):
        return (
            "You are a helpful assistant that can call tools. Available tools:\n"
            f"{describe(tools, tool_format or self.tool_format)}\n\n"
            "To call a tool, write one line of explanation, then "
            f'{self.START}{{"command_name": "<tool name>", "args": {{...}}}}{self.END} and stop. '
            "The result comes back between <|startofexec|> and <|endofexec|>. "
            "When you can answer, reply in plain text without a tool call."
        )

    def observation(self, text):
        return f"<|startofexec|>{text}<|endofexec|>"


class AutoGPT(Template):
    """AutoGPT: constraints, resources and best practices; every reply is one strict JSON object."""

    name = "autogpt"
    tool_format = "autogpt"
    RESPONSE = {
        "thoughts": {
            "text": "thought",
            "reasoning": "reasoning",
            "plan": "- short bulleted\n- list",
            "criticism": "constructive self-criticism",
            "speak": "summary to say to user",
        },
        "command": {"name": "command name", "args": {"arg name": "value"}},
    }

    def system_prompt(self, tools, tool_format=None):
        return (
            "You are Assistant-GPT, an AI that completes the user's task with the commands below. "
            "Make your "
            "decisions independently, without asking the user for help.\n\n"
            "CONSTRAINTS:\n1. No user assistance.\n2. Use only the commands listed below, in "
            "double quotes.\n"
            "3. One command per reply.\n\n"
            f"COMMANDS:\n{describe(tools, tool_format or self.tool_format)}\n"
            f'{len(tools) + 1}. Finish: "finish", args: "response": "<final answer to the '
            'user>"\n\n'
            "RESOURCES:\n1. The commands above, for information and actions.\n2. The results of "
            "earlier "
            "commands, shown as 'Command ... returned'.\n\n"
            "BEST PRACTICES:\n1. Review and analyse your actions to perform as well as you can.\n"
            "2. Criticise your big-picture behaviour constructively.\n3. Every command has a cost: "
            "be smart "
            "and efficient, and finish in the fewest steps.\n\n"
            "You should only respond in JSON format as described below\nResponse Format:\n"
            f"{json.dumps(self.RESPONSE, indent=1)}\nEnsure the response can be parsed by Python "
            "json.loads"
        )

    def observation(self, text):
        return f"Command returned: {text}"

    def _render(self, step):
        if step.kind == "tool_call":
            command = {"name": step.name, "args": step.arguments}
        elif step.kind == "final_answer":
            command = {"name": "finish", "args": {"response": step.answer}}
        else:
            raise ValueError(f"AutoGPT cannot express a {step.kind} step")
        thoughts = {"text": step.thought, "reasoning": "", "plan": "", "criticism": "", "speak": ""}
        return json.dumps({"thoughts": thoughts, "command": command}, ensure_ascii=False)

    def _parse(self, text):
        reply, error = read_object(text, strict=True)
        if reply is None:
            return Step("parse_error", error=f"reply: {error}")
        thoughts = reply.get("thoughts")
        thought = thoughts.get("text", "") if isinstance(thoughts, dict) else ""
        thought = thought if isinstance(thought, str) else str(thought)
        command = reply.get("command")
        if (
            not isinstance(command, dict)
            or not isinstance(command.get("name"), str)
            or not command["name"].strip()
        ):
            return Step("parse_error", thought=thought, error="reply has no command.name")
        args = command.get("args", {})
        if not isinstance(args, dict):
            return Step(
                "parse_error",
                thought=thought,
                name=command["name"],
                error="command.args is not an object",
            )
        if command["name"] == "finish":
            answer = args.get("response")
            if not isinstance(answer, str):
                return Step(
                    "parse_error",
                    thought=thought,
                    name="finish",
                    error="finish needs args.response",
                )
            return Step("final_answer", thought=thought, answer=answer)
        return Step("tool_call", thought=thought, name=command["name"], arguments=args)


class ChatTemplateTools(TaggedCall):
    """Tool calling through the chat template's own convention: <tools> in the system, <tool_call>
    replies.

    Models whose chat template renders `tools=` (Qwen2.5, Llama 3.1, ...) get the same tags from
    `apply_chat_template(messages, tools=...)`. SmolLM2-135M's template ignores `tools`, so this
    class writes the block itself (notebook 02 shows the difference).
    """

    name = "chat_template"
    tool_format = "openai_json"
    START, END, PAD = "<tool_call>", "</tool_call>", "\n"
    stop = ("<tool_response>",)

    def system_prompt(self, tools, tool_format=None):
        return (
            "You are a function calling AI model. You are provided with function signatures within "
            "<tools></tools> "
            "XML tags. You may call one function to assist with the user query. Don't make "
            "assumptions about "
            "what values to plug into "
            f"functions.\n<tools>\n{describe(tools, tool_format or self.tool_format)}\n"
            "</tools>\nFor a function call, return a JSON object with the function name and "
            "arguments within "
            f"{self.START}{self.END} XML "
            f'tags:\n{self.START}\n{{"name": <function-name>, "arguments": '
            f"<args-json-object>}}\n{self.END}\nWhen you can answer, reply in plain text."
        )

    def observation(self, text):
        return f"<tool_response>\n{text}\n</tool_response>"
