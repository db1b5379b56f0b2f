"""The event-store port (`port`) and its PostgreSQL and Kafka backends."""
