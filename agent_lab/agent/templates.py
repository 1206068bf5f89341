"""Agent prompt templates and their parsers: ReAct, ModelScope, AutoGPT, ToolLLaMA, chat-template
tools.

Introduced in notebook 02 (`02_agent_prompt_templates`).

Every template renders a conversation (system prompt from tools, the query, and the history of
steps and observations) and parses model text into a typed `Step` (`agent_lab.agent.steps`): a tool
call, a final answer, a give-up, or a parse error that says what was wrong. `parse` never raises,
and `parse(render(step)) == step` for every step a template can express. Arguments written as Python
literals (single quotes, as in the ms-agent data) are read with `ast.literal_eval`, never `eval`.
"""

from __future__ import annotations

import json

from agent_lab.agent.steps import (  # noqa: F401
    FENCE,
    KINDS,
    Step,
    action_name,
    first_object,
    read_object,
    split_fields,
)
from agent_lab.agent.tool_formats import describe, tool_names


class Template:
    """Base class: a name, stop strings, a system prompt, and render/parse/observation
    conventions."""

    name = "base"
    tool_format = "msagent"
    stop: tuple[str, ...] = ()

    def system_prompt(self, tools: list[dict], tool_format: str | None = None) -> str:
        raise NotImplementedError

    def render(self, step: Step) -> str:
        """The text of `step` in this template. A step the template cannot write so that `parse`
        reads back the same step (a tag or a field line inside a thought or an answer, a name with
        spaces, ...) is a ValueError."""
        text = self._render(step)
        back = self.parse(text)
        if back != step:
            raise ValueError(
                f"{self.name} cannot write this {step.kind} step so that it reads back the same "
                f"(it reads back as {back.kind}{': ' + back.error if back.error else ''})"
            )
        return text

    def _render(self, step: Step) -> str:
        raise NotImplementedError

    def _parse(self, text: str) -> Step:
        raise NotImplementedError

    def observation(self, text: str) -> str:
        """How a tool's result is shown to the model (as the next user turn)."""
        return f"Observation: {text}"

    def parse(self, text) -> Step:
        """Parse model text into a Step; never raises."""
        if not isinstance(text, str) or not text.strip():
            return Step("parse_error", error="empty output")
        try:
            return self._parse(text.replace("\r\n", "\n"))
        except Exception as exc:  # a parser bug must not crash an agent loop
            return Step("parse_error", error=f"parser failure: {type(exc).__name__}: {exc}")

    def messages(
        self, tools: list[dict], query: str, history=(), tool_format: str | None = None
    ) -> list[dict]:
        """The chat messages for the next turn: system, query, then (step, observation) pairs.

        A history entry's first item is a `Step` (rendered) or the raw text of a reply that did not
        parse.
        """
        out = [
            {"role": "system", "content": self.system_prompt(tools, tool_format)},
            {"role": "user", "content": query},
        ]
        for step, observation in history:
            out.append(
                {
                    "role": "assistant",
                    "content": self.render(step) if isinstance(step, Step) else step,
                }
            )
            out.append({"role": "user", "content": self.observation(observation)})
        return out


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


TEMPLATES: dict[str, Template] = {
    t.name: t for t in (ReAct(), ModelScope(), AutoGPT(), ToolLLaMA(), ChatTemplateTools())
}


def get_template(name: str) -> Template:
    if name not in TEMPLATES:
        raise ValueError(f"unknown template {name!r}; choose from {', '.join(TEMPLATES)}")
    return TEMPLATES[name]
