"""The everyday API catalogue the tool synthesiser (`agent_lab.data.tool_synth`) builds its tools
from.

Introduced in notebook 05 (`05_generalization_meta_agent`: the "Tools" axis of Query x Tools x
Template); `python -m agent_lab.tune` uses the same synthesiser on a user's own tools.

The tables live in `agent_lab/data/tool_catalogue.json`, written from general knowledge of everyday
web APIs (bookings, orders, payments, smart home, ...), never from a benchmark's functions:

- `FIELDS`: name -> (JSON type, extra schema, English phrase, Chinese phrase, value pool,
  description). A phrase holds `{v}` where the value is said; a boolean has (said when true, said
  when false).
- `POOLS`: name -> (English values, Chinese values); a value and its translation share an index.
- `VERBS`: verb -> (English, Chinese).
- `DOMAINS`: domain -> (Chinese name, {entity: (Chinese name, English plural, (create verb in
  English, in Chinese), fields -- a trailing `*` marks one its create call requires -- and supported
  verbs)}).
"""

from __future__ import annotations

import json
from pathlib import Path

_DATA = json.loads((Path(__file__).parent / "tool_catalogue.json").read_text("utf-8"))

FIELDS: dict[str, tuple] = {
    k: tuple(tuple(x) if isinstance(x, list) else x for x in v) for k, v in _DATA["fields"].items()
}
POOLS: dict[str, tuple[list, list]] = {k: (v[0], v[1]) for k, v in _DATA["pools"].items()}
VERBS: dict[str, tuple[str, str]] = {k: tuple(v) for k, v in _DATA["verbs"].items()}
ALL_VERBS = tuple(VERBS)
DOMAINS: dict[str, tuple[str, dict]] = {
    domain: (zh, {e: (i[0], i[1], tuple(i[2]), i[3], tuple(i[4])) for e, i in entities.items()})
    for domain, (zh, entities) in _DATA["domains"].items()
}
