"""How the tool world reads argument values and reports problems: dates, arithmetic, JSON.

Introduced in notebook 02 (`02_agent_prompt_templates`) with the tools in `agent_lab.world.tools`.
A fixed `TODAY` makes "this Friday" reproducible; `resolve_date` reads English and Chinese date
phrases; `safe_arithmetic` computes without `eval`, bounded in size; `json_problem` says why a
value is not plain JSON. Every refusal is a `ToolError`, which the world turns into an error
observation (`error_observation`) an agent can read, its text clipped so a huge argument cannot
come back as a huge error.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
import operator
import warnings

TODAY = dt.date(2026, 11, 23)  # a Monday
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class ToolError(Exception):
    """A tool refused the call (bad date, no such flight, ...); becomes an error observation."""


def resolve_date(phrase: str, today: dt.date = TODAY) -> dt.date:
    """A phrase -> a date: 'today', 'tomorrow', 'this friday', 'next monday', '2026-11-27',
    '周五', '本周三', '下周一'."""
    text = phrase.strip().lower()
    zh = {
        "今天": "today",
        "明天": "tomorrow",
        "一": "monday",
        "二": "tuesday",
        "三": "wednesday",
        "四": "thursday",
        "五": "friday",
        "六": "saturday",
        "日": "sunday",
        "天": "sunday",
    }
    if text in ("今天", "明天"):
        text = zh[text]
    elif text.lstrip("本下这").startswith(("周", "星期")) and text[-1] in zh:
        text = ("next " if text.startswith("下") else "this ") + zh[text[-1]]
    if text == "today":
        return today
    if text == "tomorrow":
        return today + dt.timedelta(days=1)
    for i, day in enumerate(WEEKDAYS):
        if text.endswith(day):
            ahead = (i - today.weekday()) % 7
            if text.startswith("next"):
                ahead += 7
            return today + dt.timedelta(days=ahead)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ToolError(
            f"cannot read date {phrase!r}; use YYYY-MM-DD or a phrase like 'this Friday'"
        ) from None


def read_date(value: str, today: dt.date = TODAY) -> dt.date:
    """A tool's date argument: YYYY-MM-DD or a phrase `resolve_date` reads
    ('this Friday', '明天')."""
    if not isinstance(value, str):
        raise ToolError(f"invalid date {value!r}; use YYYY-MM-DD or a phrase like 'this Friday'")
    return resolve_date(value, today)


_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.Mod: operator.mod,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


MAX_EXPRESSION = 500  # characters
MAX_MAGNITUDE = (
    1e300  # no intermediate result beyond this: huge integers take minutes and cannot be printed
)


def safe_arithmetic(expression: str) -> float:
    """Evaluate + - * / ** % and parentheses on numbers; anything else is a ToolError (never
    `eval`).

    Bounded: at most `MAX_EXPRESSION` characters, and every intermediate result within
      +-`MAX_MAGNITUDE`
    (a power is checked before it is computed), so no expression runs for long or returns what
    cannot print."""

    def check(value):
        if (
            isinstance(value, complex)
            or not math.isfinite(float(value))
            or abs(value) > MAX_MAGNITUDE
        ):
            raise ToolError("result too large (or not a real number)")
        return value

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool)
        ):
            return check(node.value)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Pow):
                if abs(right) > 100:
                    raise ToolError("exponent too large")
                if left != 0 and abs(right) * math.log10(abs(left)) > 300:
                    raise ToolError("result too large")
            return check(_OPS[type(node.op)](left, right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
            return check(_OPS[type(node.op)](walk(node.operand)))
        raise ToolError(f"unsupported expression element: {type(node).__name__}")

    if not isinstance(expression, str) or len(expression) > MAX_EXPRESSION:
        raise ToolError(f"expression must be a string of at most {MAX_EXPRESSION} characters")
    try:
        with warnings.catch_warnings():  # "3and 4" would print the compiler's SyntaxWarning
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(
                expression.replace("^", "**").replace("×", "*").replace("÷", "/"), mode="eval"
            )
        return walk(tree)
    except ZeroDivisionError:
        raise ToolError("division by zero") from None
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError, TypeError):
        raise ToolError(f"cannot compute expression {short_repr(expression)}") from None


MAX_MESSAGE = (
    600  # characters of an error message: a 1 MB argument must not come back as a 1 MB error
)


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 25] + f"... ({len(text)} characters)"


def short_repr(value) -> str:
    """A bounded repr of a value for an error message."""
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__
        text = f"<{type(value).__name__}>"
    return clip(text, 80)


def error_observation(kind: str, message: str, **extra) -> dict:
    return {"ok": False, "error": {"type": kind, "message": clip(message), **extra}}


def json_problem(value, path: str = "arguments", depth: int = 0) -> str:
    """Why `value` is not plain JSON (non-finite numbers, sets, bytes, non-string keys, deep
    nesting), or ""."""
    if depth > 32:
        return f"{path}: nested too deeply"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{path}: {value!r} is not a finite number"
    if value is None or isinstance(value, (str, bool, int, float)):
        return ""
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                return f"{path}: key {short_repr(k)} is not a string"
            why = json_problem(v, f"{path}.{k}", depth + 1)
            if why:
                return why
        return ""
    if isinstance(value, list):
        return next(
            (w for i, v in enumerate(value) if (w := json_problem(v, f"{path}[{i}]", depth + 1))),
            "",
        )
    return f"{path}: a {type(value).__name__} is not a JSON value"
