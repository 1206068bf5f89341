"""The client side of a model endpoint (notebook 01, `01_why_agent_tuning`, and every notebook
after it): `Endpoint` (an `openai` client and the model name), the external endpoint named by
`OPENAI_BASE_URL` / `OPENAI_MODEL` / `OPENAI_API_KEY` -- the lecture notes' "GPT-4-class teacher" --
and the token counts a reply reports.

`agent_lab.course.server.get_endpoint` returns one of these for the local server or the external
endpoint. API keys are never printed: `Endpoint`'s repr leaves them out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Endpoint:
    """An `openai.OpenAI` client plus the model name to pass as `model=`."""

    client: object = field(repr=False)
    model: str
    base_url: str
    external: bool = False
    log_path: Path | None = None

    def chat(self, messages: list[dict], **kwargs):
        """`client.chat.completions.create(model=self.model, messages=..., **kwargs)`; an endpoint
        that cannot be reached or does not answer in the client's time limit is an `EndpointError`
        naming the URL (never the key)."""
        import openai

        try:
            return self.client.chat.completions.create(
                model=self.model, messages=messages, **kwargs
            )
        except openai.APITimeoutError:
            raise EndpointError(
                f"{self.base_url} did not answer within {self.client.timeout} s"
            ) from None
        except openai.APIConnectionError:
            raise EndpointError(f"cannot reach {self.base_url} (is the server running?)") from None


class EndpointError(RuntimeError):
    """An endpoint that cannot be reached or does not answer in time; the message names its URL."""


def usage_tokens(reply) -> tuple[int, int]:
    """(prompt_tokens, completion_tokens) of a chat completion; 0 where the endpoint reports
    none."""
    usage = getattr(reply, "usage", None)
    return (getattr(usage, "prompt_tokens", 0) or 0, getattr(usage, "completion_tokens", 0) or 0)


def external_endpoint(timeout: float = 120.0) -> Endpoint | None:
    """A client for `OPENAI_BASE_URL` when it is set (model from `OPENAI_MODEL`), else None."""
    base_url = os.environ.get("OPENAI_BASE_URL")
    if not base_url:
        return None
    model = os.environ.get("OPENAI_MODEL")
    if not model:
        raise ValueError(
            "OPENAI_BASE_URL is set but OPENAI_MODEL is not: name the endpoint's model in "
            "OPENAI_MODEL."
        )
    from openai import OpenAI

    client = OpenAI(
        base_url=base_url,
        api_key=os.environ.get("OPENAI_API_KEY", "no-key"),
        timeout=timeout,
        max_retries=1,
    )  # bounded: at most two tries of `timeout` seconds
    return Endpoint(client=client, model=model, base_url=base_url, external=True)
