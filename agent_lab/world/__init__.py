"""Stage 1 -- the simulated tool world the agent acts in.

- `data`    the world's tool schemas and catalogues (flights, calendar, Hema products, fire alarm,
  ...)
            -- notebook 02
- `tools`   `World`: state, argument validation, the tools themselves, observations -- notebook 02
"""
