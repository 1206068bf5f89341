"""The simulated tool world: 18 deterministic tools over 8 domains, offline and seeded.

Introduced in notebook 02 (`02_agent_prompt_templates`); used by every later notebook.

`World(seed)` holds the state (calendar, bookings, alerts, ...). `world.call(name, arguments)`
validates the arguments against the tool's JSON schema (`jsonschema`) and returns an observation
dict. It never raises: an unknown tool, bad arguments or a failing call come back as
`{"ok": False, "error": {"type": ..., "message": ...}}`, which an agent can read and recover from.
Tools that change state (bookings, meetings, alerts, calls) change the world, so a task's success
can be checked from the final state. A fixed `TODAY` makes "this Friday" reproducible.
"""

from __future__ import annotations

import ast
import copy
import datetime as dt
import hashlib
import json
import math
import operator
from dataclasses import dataclass, field

import jsonschema

from agent_lab.world.data import (
    CONTACTS,
    FIRE_IMAGES,
    PRODUCTS,
    RECIPES,
    REPOSITORIES,
    TOOL_SCHEMAS,
    UNIT_FACTORS,
    WEB_PAGES,
    canonical_name,
)

TODAY = dt.date(2026, 11, 23)  # a Monday
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
STOPWORDS = {
    "the",
    "and",
    "for",
    "who",
    "what",
    "about",
    "search",
    "web",
    "find",
    "look",
    "latest",
    "please",
}
CONDITIONS = ["sunny", "cloudy", "light rain", "overcast", "showers", "clear"]


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


def _date(value: str, today: dt.date = TODAY) -> dt.date:
    """A tool's date argument: YYYY-MM-DD or a phrase `resolve_date` reads
    ('this Friday', '明天')."""
    if not isinstance(value, str):
        raise ToolError(f"invalid date {value!r}; use YYYY-MM-DD or a phrase like 'this Friday'")
    return resolve_date(value, today)


def _rng_int(*parts, mod: int) -> int:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()
    return int(digest[:12], 16) % mod


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
        return walk(
            ast.parse(
                expression.replace("^", "**").replace("×", "*").replace("÷", "/"), mode="eval"
            )
        )
    except ZeroDivisionError:
        raise ToolError("division by zero") from None
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError, TypeError):
        raise ToolError(f"cannot compute expression {_short(expression)}") from None


MAX_MESSAGE = (
    600  # characters of an error message: a 1 MB argument must not come back as a 1 MB error
)


def _clip(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 25] + f"... ({len(text)} characters)"


def _short(value) -> str:
    """A bounded repr of a value for an error message."""
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__
        text = f"<{type(value).__name__}>"
    return _clip(text, 80)


def _error(kind: str, message: str, **extra) -> dict:
    return {"ok": False, "error": {"type": kind, "message": _clip(message), **extra}}


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
                return f"{path}: key {_short(k)} is not a string"
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


@dataclass
class World:
    """The mutable state of one episode. Same seed -> same weather, flights, calendar."""

    seed: int = 0
    today: dt.date = TODAY
    bookings: list = field(default_factory=list)
    meetings: list = field(default_factory=list)
    alerts: list = field(default_factory=list)
    police_calls: int = 0
    fireman_calls: int = 0
    calls: list = field(default_factory=list)  # every call made: (name, arguments, ok)
    listed: dict = field(
        default_factory=dict
    )  # flights shown by search_flights, bookable by number

    # ------------------------------------------------------------------ the dispatcher
    def call(self, name, arguments) -> dict:
        """Validate and run one tool call; always returns an observation dict (never raises,
        whatever it gets).

        Every rejected call's message says what was wrong, bounded in size (`MAX_MESSAGE`
        characters); dates are resolved to YYYY-MM-DD on the way in, so the world only ever stores
        one spelling of a day."""
        if not isinstance(name, str):
            obs = _error("invalid_call", f"the tool name must be a string, got {_short(name)}")
            name = _short(name)
        elif name not in TOOL_SCHEMAS:
            obs = _error(
                "unknown_tool", f"no tool named {_short(name)}", available=sorted(TOOL_SCHEMAS)
            )
        elif not isinstance(arguments, dict):
            obs = _error(
                "invalid_arguments",
                f"arguments must be a JSON object, got {type(arguments).__name__}",
            )
        else:
            obs = self._checked_call(name, arguments)
        self.calls.append((name, arguments, obs["ok"]))
        return obs

    def _checked_call(self, name: str, arguments: dict) -> dict:
        bad = json_problem(arguments)
        if bad:
            return _error("invalid_arguments", bad)
        schema = TOOL_SCHEMAS[name]["parameters"]
        errors = sorted(
            jsonschema.Draft7Validator(schema).iter_errors(arguments), key=lambda e: list(e.path)
        )
        if errors:
            where = lambda e: ".".join(map(str, e.path)) or "(arguments)"  # noqa: E731
            return _error(
                "invalid_arguments",
                "; ".join(f"{where(e)}: {_clip(e.message, 150)}" for e in errors[:8]),
            )
        arguments = copy.deepcopy(arguments)
        for key in [k for k in arguments if k.endswith("date") and isinstance(arguments[k], str)]:
            try:
                arguments[key] = resolve_date(arguments[key], self.today).isoformat()
            except ToolError as exc:
                return _error("invalid_arguments", f"{key}: {_clip(str(exc))}")
        try:
            result = getattr(self, f"_tool_{name}")(**arguments)
        except ToolError as exc:
            return _error("tool_error", str(exc))
        except Exception as exc:  # a bug in a tool must not crash the agent loop
            return _error(
                "internal_error", f"{name} failed on these arguments ({type(exc).__name__}: {exc})"
            )
        bad = json_problem(result)
        if bad:
            return _error("tool_error", f"{name} produced a result that is not JSON ({bad})")
        return {"ok": True, "result": result}

    # ------------------------------------------------------------------ weather
    def weather_on(self, location: str, day: dt.date) -> dict:
        key = (self.seed, canonical_name(location).strip().lower(), day.isoformat())
        temp = round(-5 + _rng_int(*key, "t", mod=350) / 10, 1)
        return {
            "date": day.isoformat(),
            "condition": CONDITIONS[_rng_int(*key, "c", mod=len(CONDITIONS))],
            "temperature_c": temp,
            "humidity_pct": 30 + _rng_int(*key, "h", mod=60),
        }

    def _tool_get_weather_info(self, location, start_date=None, end_date=None, is_current="no"):
        if is_current == "yes" or not start_date:
            return {"location": location, "current": self.weather_on(location, self.today)}
        start, end = _date(start_date, self.today), _date(end_date or start_date, self.today)
        if end < start or (end - start).days > 14:
            raise ToolError("end_date must be on or after start_date and at most 14 days later")
        days = [
            self.weather_on(location, start + dt.timedelta(days=i))
            for i in range((end - start).days + 1)
        ]
        return {"location": location, "forecast": days}

    # ------------------------------------------------------------------ calendar
    def busy(self, day: dt.date) -> list[tuple[int, int]]:
        """Busy hours (start, end) on a day: seeded appointments plus meetings created in this
        world."""
        if day.weekday() >= 5:
            return [(9, 18)]
        first = 9 + _rng_int(self.seed, day.isoformat(), "b", mod=7)
        busy = [(first, first + 1 + _rng_int(self.seed, day.isoformat(), "l", mod=2))]
        busy += [
            (int(m["start_time"][:2]), int(m["end_time"][:2]))
            for m in self.meetings
            if m["date"] == day.isoformat()
        ]
        return sorted(busy)

    def free_slots(self, day: dt.date) -> list[dict]:
        slots, hour = [], 9
        for start, end in self.busy(day) + [(18, 18)]:
            if start > hour:
                slots.append(
                    {
                        "date": day.isoformat(),
                        "start_time": f"{hour:02d}:00",
                        "end_time": f"{start:02d}:00",
                    }
                )
            hour = max(hour, end)
        return slots

    def _tool_get_free_slots(self, start_date, end_date):
        start, end = _date(start_date, self.today), _date(end_date, self.today)
        if end < start or (end - start).days > 14:
            raise ToolError("end_date must be on or after start_date and at most 14 days later")
        return [
            s
            for i in range((end - start).days + 1)
            for s in self.free_slots(start + dt.timedelta(days=i))
        ]

    def _tool_find_contacts(self, team):
        for name, members in CONTACTS.items():
            if team.strip().lower() in (name.lower(), *(a.lower() for a in members["aliases"])):
                return {"team": name, "members": members["members"]}
        raise ToolError(f"no team called {team!r}; known teams: {', '.join(CONTACTS)}")

    def _tool_create_meeting(self, title, date, start_time, end_time, attendees):
        day = _date(date, self.today)
        try:
            start, end = int(start_time.split(":")[0]), int(end_time.split(":")[0])
        except ValueError:
            raise ToolError("times must look like HH:00") from None
        if not (9 <= start < end <= 18):
            raise ToolError("meetings must start and end between 09:00 and 18:00, end after start")
        if not any(
            int(s["start_time"][:2]) <= start and end <= int(s["end_time"][:2])
            for s in self.free_slots(day)
        ):
            raise ToolError(
                f"{day.isoformat()} {start_time}-{end_time} is not free; call get_free_slots first"
            )
        meeting = {
            "id": f"M{len(self.meetings) + 1:03d}",
            "title": title,
            "date": day.isoformat(),
            "start_time": f"{start:02d}:00",
            "end_time": f"{end:02d}:00",
            "attendees": list(attendees),
        }
        self.meetings.append(meeting)
        return {"created": meeting}

    # ------------------------------------------------------------------ flights
    def flights(self, origin: str, destination: str, day: dt.date) -> list[dict]:
        origin, destination = (
            canonical_name(origin),
            canonical_name(destination),
        )  # "杭州" is Hangzhou
        out = []
        for i in range(3):
            key = (self.seed, origin.lower(), destination.lower(), day.isoformat(), i)
            hour = 7 + 4 * i + _rng_int(*key, "h", mod=3)
            out.append(
                {
                    "flight_number": f"MU{5000 + _rng_int(*key, 'n', mod=4000)}",
                    "origin": origin,
                    "destination": destination,
                    "date": day.isoformat(),
                    "departure": f"{hour:02d}:{15 * _rng_int(*key, 'm', mod=4):02d}",
                    "price_cny": 500 + 10 * _rng_int(*key, "p", mod=120),
                }
            )
        return out

    def _tool_search_flights(self, destination, date, origin="Beijing"):
        origin, destination = canonical_name(origin), canonical_name(destination)
        if origin.strip().lower() == destination.strip().lower():
            raise ToolError("origin and destination are the same city")
        day = _date(date, self.today)
        if day < self.today:
            raise ToolError(f"{date} is in the past (today is {self.today.isoformat()})")
        found = self.flights(origin, destination, day)
        self.listed.update({(f["flight_number"], f["date"]): f for f in found})
        return found

    def _tool_book_flight(self, flight_number, date, passenger="the user"):
        flight = self.listed.get((flight_number, _date(date, self.today).isoformat()))
        if flight is None:
            raise ToolError(f"no flight {flight_number} on {date}; call search_flights first")
        booking = {"booking_id": f"B{len(self.bookings) + 1:04d}", "passenger": passenger, **flight}
        self.bookings.append(booking)
        return {"booked": booking}

    # ------------------------------------------------------------------ Hema retail
    def _tool_hm_product_recommend(self, keywords_dict):
        words = [str(v).lower() for v in keywords_dict.values()]
        hits = [
            p
            for p in PRODUCTS
            if any(
                w in (p["category"] + " " + p["product_name"] + " " + " ".join(p["tags"])).lower()
                for w in words
            )
        ]
        return [
            {k: p[k] for k in ("sku_code", "product_name", "product_price", "product_description")}
            for p in hits[:3]
        ]

    def _tool_hm_product_info(self, sku_code_list, sku_name_list, property_list):
        out = []
        for i, code in enumerate(sku_code_list):
            product = next((p for p in PRODUCTS if p["sku_code"] == code), None)
            if product is None:
                raise ToolError(f"no product with sku_code {code}")
            wanted = property_list[i] if i < len(property_list) else []
            props = {
                w: product["properties"].get(w, "unknown")
                for w in (wanted or list(product["properties"]))
            }
            out.append({"sku_code": code, "property": props})
        return out

    def _tool_hm_product_marketing(self, sku_code_list):
        out = []
        for code in sku_code_list:
            product = next((p for p in PRODUCTS if p["sku_code"] == code), None)
            if product is None:
                raise ToolError(f"no product with sku_code {code}")
            out.append({"sku_code": code, "promotion": product["promotion"]})
        return out

    def _tool_hm_recipe_recommend(self, keywords_dict):
        words = [str(v).lower() for v in keywords_dict.values()]
        return [
            r
            for r in RECIPES
            if any(w in (r["name"] + " " + " ".join(r["ingredients"])).lower() for w in words)
        ][:3]

    # ------------------------------------------------------------------ fire safety
    def _tool_fire_recognition(self, image):
        if image not in FIRE_IMAGES:
            raise ToolError(f"no image {image!r}; known cameras: {', '.join(sorted(FIRE_IMAGES))}")
        return {"image": image, "fire_detected": FIRE_IMAGES[image]}

    def _tool_fire_alert(self):
        self.alerts.append({"at": self.today.isoformat()})
        return {"alert": "building administrators warned"}

    def _tool_call_police(self):
        self.police_calls += 1
        return {"called": "110"}

    def _tool_call_fireman(self):
        self.fireman_calls += 1
        return {"called": "119"}

    # ------------------------------------------------------------------ code hosting, web, numbers
    def _tool_github_latest_commit(self, repository):
        repo = REPOSITORIES.get(repository.strip().lower())
        if repo is None:
            raise ToolError(f"no repository {repository!r}")
        sha = hashlib.sha1(f"{self.seed}|{repository}".encode()).hexdigest()
        return {
            "repository": repository,
            "latest_commit": sha,
            "message": repo["message"],
            "author": repo["author"],
        }

    def _tool_web_search(self, text):
        words = {w for w in text.lower().split() if len(w) > 2} - STOPWORDS
        scored = sorted(
            (
                (
                    len(words & set(p["text"].lower().split()))
                    + (p["title"].lower() in text.lower()),
                    p,
                )
                for p in WEB_PAGES
            ),
            key=lambda x: -x[0],
        )
        return [
            {"title": p["title"], "snippet": p["text"][:160], "url": p["url"]}
            for s, p in scored[:3]
            if s > 0
        ]

    def _tool_calculator(self, expression):
        return {"expression": expression, "result": round(safe_arithmetic(expression), 6)}

    def _tool_unit_convert(self, value, from_unit, to_unit):
        a, b = UNIT_FACTORS.get(from_unit.lower()), UNIT_FACTORS.get(to_unit.lower())
        if a is None or b is None:
            raise ToolError(f"unknown unit; known units: {', '.join(sorted(UNIT_FACTORS))}")
        if a[0] != b[0]:
            raise ToolError(f"cannot convert {a[0]} to {b[0]}")
        if a[0] == "temperature":
            celsius = {"c": value, "f": (value - 32) * 5 / 9, "k": value - 273.15}[a[1]]
            result = {"c": celsius, "f": celsius * 9 / 5 + 32, "k": celsius + 273.15}[b[1]]
        else:
            result = value * a[1] / b[1]
        return {
            "value": value,
            "from_unit": from_unit,
            "to_unit": to_unit,
            "result": round(result, 6),
        }


def tool_schemas(names=None) -> list[dict]:
    """OpenAI function-calling schemas (`{"type": "function", "function": {...}}`) for the named
    tools."""
    names = list(TOOL_SCHEMAS) if names is None else names
    return [{"type": "function", "function": copy.deepcopy(TOOL_SCHEMAS[n])} for n in names]


def observation_text(observation: dict) -> str:
    """The observation as the one-line JSON an agent reads."""
    return json.dumps(observation, ensure_ascii=False)
