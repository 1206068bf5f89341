"""A scripted OpenAI-style endpoint that replays fixed replies.

Only for testing the loops' bookkeeping (turn order, state changes, token sums); every notebook and
the integration tests use the real model.
"""

from types import SimpleNamespace


class ScriptedEndpoint:
    def __init__(self, replies):
        self.replies, self.requests = list(replies), []

    def chat(self, messages, **kwargs):
        self.requests.append((messages, kwargs))
        text = self.replies.pop(0)
        return SimpleNamespace(
            choices=[SimpleNamespace(message=SimpleNamespace(content=text, tool_calls=None))],
            usage=SimpleNamespace(prompt_tokens=100, completion_tokens=7),
        )
