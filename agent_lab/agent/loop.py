"""The agent loop: run a query to completion with any template, any OpenAI-compatible client, the
tool world.

Introduced in notebook 03 (`03_plan_and_summarize`); its traces feed data building (04) and
evaluation (07).

Each turn renders the template's messages (system prompt, query, earlier steps and observations),
asks the endpoint greedily with the template's stop strings (`Observation:` for ReAct), parses the
reply, and either calls the tool in the world, feeds back a parse error the model can correct, or
stops on a final answer / give-up / `max_steps`. The `Trace` keeps everything: prompts, raw outputs,
parsed steps, observations and token usage.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

from agent_lab.agent.steps import step_from_message
from agent_lab.agent.templates import Step, Template
from agent_lab.course.endpoint import usage_tokens
from agent_lab.world.tools import World, observation_text


@dataclass
class Turn:
    messages: list[dict]
    raw: str
    step: Step
    observation: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0


@dataclass
class Trace:
    query: str
    template: str
    turns: list[Turn] = field(default_factory=list)
    final_answer: str = ""
    stopped: str = ""  # answer | give_up | max_steps

    @property
    def n_steps(self) -> int:
        return len(self.turns)

    @property
    def tool_calls(self) -> list[Step]:
        return [t.step for t in self.turns if t.step.kind == "tool_call"]

    @property
    def parse_errors(self) -> int:
        return sum(t.step.kind == "parse_error" for t in self.turns)

    @property
    def prompt_tokens(self) -> int:
        return sum(t.prompt_tokens for t in self.turns)

    @property
    def completion_tokens(self) -> int:
        return sum(t.completion_tokens for t in self.turns)

    def to_dict(self) -> dict:
        out = asdict(self)
        out.update(
            n_steps=self.n_steps,
            parse_errors=self.parse_errors,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
        )
        return out


def strip_stop(text: str, stops) -> str:
    """Drop a trailing stop string: Hugging Face's `stop_strings` keep it in the output, OpenAI's do
    not."""
    text = text.rstrip()
    for stop in stops:
        if stop and text.endswith(stop):
            return text[: -len(stop)].rstrip()
    return text


def parse_error_feedback(step: Step) -> str:
    """What the model reads after an unparseable reply, so it can correct its format."""
    return observation_text({"ok": False, "error": {"type": "format_error", "message": step.error}})


def run_agent(
    endpoint,
    world: World,
    template: Template,
    tools: list[dict],
    query: str,
    max_steps: int = 6,
    max_tokens: int = 128,
) -> Trace:
    """Run `query` to a final answer (or give-up, or `max_steps` turns) and return the full
    trace."""
    trace = Trace(query=query, template=template.name)
    history: list[tuple[Step | str, str]] = []
    for _ in range(max_steps):
        messages = template.messages(tools, query, history)
        start = time.perf_counter()
        reply = endpoint.chat(
            messages, max_tokens=max_tokens, temperature=0, stop=list(template.stop) or None
        )
        raw, step = step_from_message(template, reply.choices[0].message)
        prompt_tokens, completion_tokens = usage_tokens(reply)
        turn = Turn(
            messages=messages,
            raw=raw,
            step=step,
            latency_s=time.perf_counter() - start,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
        )
        if advance(trace, history, world, template, turn):
            return trace
    trace.stopped = "max_steps"
    return trace


def advance(trace: Trace, history: list, world: World, template: Template, turn: Turn) -> bool:
    """Record one turn: call the tool (or feed back a parse error) and extend `history`. True when
    the run ends.

    Shared by `run_agent` (one query through an endpoint) and
    `agent_lab.evaluation.episodes.run_episodes` (many at once).
    """
    step = turn.step
    trace.turns.append(turn)
    if step.kind == "final_answer":
        trace.final_answer, trace.stopped = step.answer, "answer"
        return True
    if step.kind == "give_up":
        trace.stopped = "give_up"
        return True
    if step.kind == "tool_call":
        turn.observation = observation_text(world.call(step.name, step.arguments))
        # a call the template cannot write back as it read it is shown to the model as it wrote it
        try:
            template.render(step)
            shown = step
        except ValueError:
            shown = strip_stop(turn.raw, template.stop)
        history.append((shown, turn.observation))
    else:  # a parse error: keep the model's text and tell it what was wrong, so it can recover
        turn.observation = parse_error_feedback(step)
        history.append((strip_stop(turn.raw, template.stop), turn.observation))
    return False
