"""The HTTP adapter: REST commands and queries, authentication, and the lean ingest path."""
