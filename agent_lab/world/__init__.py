"""Stage 1 -- the simulated tool world the agent acts in (notebook 02).

- `schemas` the world's 18 tool schemas (JSON schema; every call is checked against them)
- `data`    the catalogues the tools read (cities, contacts, Hema products, recipes, fire alarm)
- `values`  how arguments are read: dates ("this Friday", 明天), bounded arithmetic, JSON checks
- `tools`   `World`: state, argument validation, weather/calendar/flight tools, observations
- `service_tools` the lookup services `World` inherits: Hema, fire safety, GitHub, web, numbers
"""
