"""The tool world's services that are lookups more than state: Hema retail, fire safety, code
hosting, web search and numbers (notebook 02 introduces them; `agent_lab.world.tools.World` inherits
them).

Each `_tool_<name>` method is one tool of `agent_lab.world.schemas.TOOL_SCHEMAS`; `World.call`
validates the arguments before it runs one. A failing call raises `ToolError`, which `World.call`
turns into an error observation. The fire-safety tools record what they did on the world
(`alerts`, `police_calls`, `fireman_calls`) so a task's success can be checked from the state.
"""

from __future__ import annotations

import hashlib

from agent_lab.world.data import (
    FIRE_IMAGES,
    PRODUCTS,
    RECIPES,
    REPOSITORIES,
    UNIT_FACTORS,
    WEB_PAGES,
)
from agent_lab.world.values import ToolError, safe_arithmetic

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


class ServiceTools:
    """Hema, fire-safety, GitHub, web, calculator and unit tools, mixed into `World` (which holds
    `seed`, `today`, `alerts`, `police_calls` and `fireman_calls`)."""

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
