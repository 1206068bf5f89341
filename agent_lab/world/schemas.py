"""The simulated world's tool schemas: 18 tools over 8 domains, as OpenAI-style function schemas
with a `domain` (written for this course).

Introduced in notebook 02 (`02_agent_prompt_templates`). `agent_lab.world.tools` validates every
call against them (`jsonschema`) and implements the tools; `agent_lab.world.data` holds the
catalogues the tools read.
"""

from __future__ import annotations

DATE = {
    "type": "string",
    "minLength": 1,
}  # YYYY-MM-DD, or a phrase the world resolves: "this Friday", "明天"
TIME = {"type": "string", "pattern": r"^\d{2}:\d{2}$"}


def _fn(name: str, description: str, properties: dict, required: list[str], domain: str) -> dict:
    return {
        "name": name,
        "description": description,
        "domain": domain,
        "parameters": {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        },
    }


TOOL_SCHEMAS = {
    s["name"]: s
    for s in [
        _fn(
            "get_weather_info",
            "Get the weather of a city: right now, or a forecast for a date range.",
            {
                "location": {"type": "string", "description": "City name, e.g. Beijing"},
                "start_date": {
                    **DATE,
                    "description": "First day: YYYY-MM-DD or a phrase like 'this Friday'",
                },
                "end_date": {
                    **DATE,
                    "description": "Last day: YYYY-MM-DD or a phrase like 'this Friday'",
                },
                "is_current": {
                    "type": "string",
                    "enum": ["yes", "no"],
                    "description": "yes for the weather right now",
                },
            },
            ["location"],
            "weather",
        ),
        _fn(
            "get_free_slots",
            "List the free time slots in the user's calendar between two days (09:00-18:00).",
            {
                "start_date": {
                    **DATE,
                    "description": "First day: YYYY-MM-DD or a phrase like 'this Friday'",
                },
                "end_date": {
                    **DATE,
                    "description": "Last day: YYYY-MM-DD or a phrase like 'this Friday'",
                },
            },
            ["start_date", "end_date"],
            "calendar",
        ),
        _fn(
            "find_contacts",
            "Find the members of a team in the company directory.",
            {
                "team": {
                    "type": "string",
                    "description": "Team name, e.g. search product team / 搜索产品部",
                },
            },
            ["team"],
            "calendar",
        ),
        _fn(
            "create_meeting",
            "Create a meeting in a free slot and invite attendees.",
            {
                "title": {"type": "string", "description": "Meeting title"},
                "date": {**DATE, "description": "Day: YYYY-MM-DD or a phrase like 'tomorrow'"},
                "start_time": {**TIME, "description": "Start, HH:MM"},
                "end_time": {**TIME, "description": "End, HH:MM"},
                "attendees": {
                    "type": "array",
                    "items": {"type": "string"},
                    "minItems": 1,
                    "description": "E-mail addresses",
                },
            },
            ["title", "date", "start_time", "end_time", "attendees"],
            "calendar",
        ),
        _fn(
            "search_flights",
            "Search flights from one city to another on a day.",
            {
                "origin": {"type": "string", "description": "Departure city (default Beijing)"},
                "destination": {"type": "string", "description": "Arrival city"},
                "date": {
                    **DATE,
                    "description": "Departure day: YYYY-MM-DD or a phrase like 'next Monday'",
                },
            },
            ["destination", "date"],
            "flights",
        ),
        _fn(
            "book_flight",
            "Book a seat on a flight found by search_flights.",
            {
                "flight_number": {"type": "string", "description": "Flight number, e.g. MU5123"},
                "date": {
                    **DATE,
                    "description": "Departure day: YYYY-MM-DD or a phrase like 'next Monday'",
                },
                "passenger": {"type": "string", "description": "Passenger name"},
            },
            ["flight_number", "date"],
            "flights",
        ),
        _fn(
            "hm_product_recommend",
            "Recommend Hema (盒马) products matching a dictionary of keywords.",
            {
                "keywords_dict": {
                    "type": "object",
                    "description": '盒马推荐商品关键词字典, e.g. {"商品类目": "手机"}',
                },
            },
            ["keywords_dict"],
            "retail",
        ),
        _fn(
            "hm_product_info",
            "Look up properties of Hema products.",
            {
                "sku_code_list": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "盒马商品的编码列表",
                },
                "sku_name_list": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "盒马商品的名称列表",
                },
                "property_list": {
                    "type": "array",
                    "items": {"type": "array", "items": {"type": "string"}},
                    "description": "盒马商品的属性列表, one list per product",
                },
            },
            ["sku_code_list", "sku_name_list", "property_list"],
            "retail",
        ),
        _fn(
            "hm_product_marketing",
            "Current promotions for Hema products.",
            {
                "sku_code_list": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "盒马商品的编码列表",
                },
            },
            ["sku_code_list"],
            "retail",
        ),
        _fn(
            "hm_recipe_recommend",
            "Recommend recipes matching a dictionary of keywords.",
            {
                "keywords_dict": {
                    "type": "object",
                    "description": '盒马推荐菜谱关键词字典, e.g. {"食材": "鱼"}',
                },
            },
            ["keywords_dict"],
            "retail",
        ),
        _fn(
            "fire_recognition",
            "Recognise whether there is fire in a camera image.",
            {
                "image": {"type": "string", "description": "Image name, e.g. camera_lobby.jpg"},
            },
            ["image"],
            "fire_safety",
        ),
        _fn(
            "fire_alert",
            "Start an alert that warns the building's administrators.",
            {},
            [],
            "fire_safety",
        ),
        _fn("call_police", "Call 110 (police).", {}, [], "fire_safety"),
        _fn("call_fireman", "Call 119 (fire brigade) to put out a fire.", {}, [], "fire_safety"),
        _fn(
            "github_latest_commit",
            "Get the latest commit of a code repository.",
            {
                "repository": {
                    "type": "string",
                    "description": "Repository name, e.g. demo2_jenkinsfile",
                },
            },
            ["repository"],
            "code_hosting",
        ),
        _fn(
            "web_search",
            "Perform an internet search.",
            {
                "text": {"type": "string", "description": "Search query."},
            },
            ["text"],
            "web",
        ),
        _fn(
            "calculator",
            "Evaluate an arithmetic expression (+ - * / ** % and parentheses).",
            {
                "expression": {"type": "string", "description": "e.g. (3 + 4) * 2"},
            },
            ["expression"],
            "numbers",
        ),
        _fn(
            "unit_convert",
            "Convert a value between units of length, mass or temperature.",
            {
                "value": {"type": "number", "description": "The value to convert"},
                "from_unit": {"type": "string", "description": "e.g. km, mile, kg, lb, c, f"},
                "to_unit": {"type": "string", "description": "e.g. km, mile, kg, lb, c, f"},
            },
            ["value", "from_unit", "to_unit"],
            "numbers",
        ),
    ]
}
