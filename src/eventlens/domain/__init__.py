"""The pure domain: catalog aggregates, tracked-event facts and the rules that judge them.

Nothing here performs I/O or knows about FastAPI, Kafka or SQL.
"""
