"""The base of every agent prompt template: render a conversation, parse a reply, never raise.

Introduced in notebook 02 (`02_agent_prompt_templates`). The templates themselves are in
`agent_lab.agent.templates` (ReAct, ToolLLaMA, and the registry) and
`agent_lab.agent.json_templates` (ModelScope, AutoGPT, chat-template tool calls).
"""

from __future__ import annotations

from agent_lab.agent.steps import Step


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
