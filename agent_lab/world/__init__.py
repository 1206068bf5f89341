"""Stage 1 -- the simulated tool world the agent acts in (notebook 02).

- `data`   the world's tool schemas and catalogues (flights, calendar, Hema products, fire alarm)
- `values` how arguments are read: dates ("this Friday", 明天), bounded arithmetic, JSON checks
- `tools`  `World`: state, argument validation, the tools themselves, observations
"""
