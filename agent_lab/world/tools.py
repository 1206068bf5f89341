"""The simulated tool world: 18 deterministic tools over 8 domains, offline and seeded.

Introduced in notebook 02 (`02_agent_prompt_templates`); used by every later notebook.

`World(seed)` holds the state (calendar, bookings, alerts, ...). `world.call(name, arguments)`
validates the arguments against the tool's JSON schema (`jsonschema`) and returns an observation
dict. It never raises: an unknown tool, bad arguments or a failing call come back as
`{"ok": False, "error": {"type": ..., "message": ...}}`, which an agent can read and recover from.
Tools that change state (bookings, meetings, alerts, calls) change the world, so a task's success
can be checked from the final state. Dates, arithmetic and JSON checks are read by
`agent_lab.world.values`.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

import jsonschema

from agent_lab.world.data import (
    CONTACTS,
    canonical_name,
)
from agent_lab.world.schemas import TOOL_SCHEMAS
from agent_lab.world.service_tools import ServiceTools
from agent_lab.world.values import (
    TODAY,
    ToolError,
    clip,
    error_observation,
    json_problem,
    read_date,
    resolve_date,
    short_repr,
)

CONDITIONS = ["sunny", "cloudy", "light rain", "overcast", "showers", "clear"]


def _rng_int(*parts, mod: int) -> int:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()
    return int(digest[:12], 16) % mod


@dataclass
class World(ServiceTools):
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
            obs = error_observation(
                "invalid_call", f"the tool name must be a string, got {short_repr(name)}"
            )
            name = short_repr(name)
        elif name not in TOOL_SCHEMAS:
            obs = error_observation(
                "unknown_tool", f"no tool named {short_repr(name)}", available=sorted(TOOL_SCHEMAS)
            )
        elif not isinstance(arguments, dict):
            obs = error_observation(
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
            return error_observation("invalid_arguments", bad)
        schema = TOOL_SCHEMAS[name]["parameters"]
        errors = sorted(
            jsonschema.Draft7Validator(schema).iter_errors(arguments), key=lambda e: list(e.path)
        )
        if errors:
            where = lambda e: ".".join(map(str, e.path)) or "(arguments)"  # noqa: E731
            return error_observation(
                "invalid_arguments",
                "; ".join(f"{where(e)}: {clip(e.message, 150)}" for e in errors[:8]),
            )
        arguments = copy.deepcopy(arguments)
        for key in [k for k in arguments if k.endswith("date") and isinstance(arguments[k], str)]:
            try:
                arguments[key] = resolve_date(arguments[key], self.today).isoformat()
            except ToolError as exc:
                return error_observation("invalid_arguments", f"{key}: {clip(str(exc))}")
        try:
            result = getattr(self, f"_tool_{name}")(**arguments)
        except ToolError as exc:
            return error_observation("tool_error", str(exc))
        except Exception as exc:  # a bug in a tool must not crash the agent loop
            return error_observation(
                "internal_error", f"{name} failed on these arguments ({type(exc).__name__}: {exc})"
            )
        bad = json_problem(result)
        if bad:
            return error_observation(
                "tool_error", f"{name} produced a result that is not JSON ({bad})"
            )
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
        start, end = (
            read_date(start_date, self.today),
            read_date(end_date or start_date, self.today),
        )
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
        start, end = read_date(start_date, self.today), read_date(end_date, self.today)
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
        day = read_date(date, self.today)
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
        day = read_date(date, self.today)
        if day < self.today:
            raise ToolError(f"{date} is in the past (today is {self.today.isoformat()})")
        found = self.flights(origin, destination, day)
        self.listed.update({(f["flight_number"], f["date"]): f for f in found})
        return found

    def _tool_book_flight(self, flight_number, date, passenger="the user"):
        flight = self.listed.get((flight_number, read_date(date, self.today).isoformat()))
        if flight is None:
            raise ToolError(f"no flight {flight_number} on {date}; call search_flights first")
        booking = {"booking_id": f"B{len(self.bookings) + 1:04d}", "passenger": passenger, **flight}
        self.bookings.append(booking)
        return {"booked": booking}


def tool_schemas(names=None) -> list[dict]:
    """OpenAI function-calling schemas (`{"type": "function", "function": {...}}`) for the named
    tools."""
    names = list(TOOL_SCHEMAS) if names is None else names
    return [{"type": "function", "function": copy.deepcopy(TOOL_SCHEMAS[n])} for n in names]


def observation_text(observation: dict) -> str:
    """The observation as the one-line JSON an agent reads."""
    return json.dumps(observation, ensure_ascii=False)
