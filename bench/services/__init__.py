"""Services the systems under test need: a PostgreSQL server, a Kafka broker, EventLens."""
