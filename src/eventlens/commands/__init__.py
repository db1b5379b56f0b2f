"""Use cases: one command and its handler per module.

Handlers take plain command objects, decide through the domain and append events; they never
write a read model. Catalog commands run against `Catalog`, the event-sourced application
holding the Schema, Adaptor and User aggregates.
"""
