"""Baselines measured by the same load generator in the same run, each one uvicorn process.

- `bare_asgi`: no framework; reads and parses the body (orjson) and answers 202.
- `fastapi_pydantic`: the same through FastAPI with pydantic model validation.
- `seed_design`: the seed README's design, written faithfully (see its docstring).
"""
