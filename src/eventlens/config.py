"""Configuration: every setting is an `EVENTLENS_*` environment variable (see README)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from None


def _str(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def _geoip_db() -> Path | None:
    named = _str("EVENTLENS_GEOIP_DB")
    if named is not None:
        return Path(named)
    cache = Path(_str("EVENTLENS_CACHE_DIR") or Path.home() / ".cache" / "eventlens")
    default = cache / "geoip"
    return default if default.is_dir() else None


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=lambda: Path(_str("EVENTLENS_DATA_DIR") or ".eventlens"))
    database_url: str | None = field(default_factory=lambda: _str("EVENTLENS_DATABASE_URL"))
    kafka_bootstrap: str | None = field(default_factory=lambda: _str("EVENTLENS_KAFKA_BOOTSTRAP"))
    kafka_partitions: int = field(default_factory=lambda: _int("EVENTLENS_KAFKA_PARTITIONS", 6))
    kafka_topic_prefix: str = field(
        default_factory=lambda: _str("EVENTLENS_KAFKA_TOPIC_PREFIX") or ""
    )
    kafka_replication: int = field(default_factory=lambda: _int("EVENTLENS_KAFKA_REPLICATION", 1))
    # The longest a small group commit of the PostgreSQL event store waits for more requests.
    group_commit_window_us: int = field(
        default_factory=lambda: _int("EVENTLENS_GROUP_COMMIT_WINDOW_US", 1000)
    )
    # The longest ingest waits for the event store to record its events (Kafka's delivery
    # timeout, PostgreSQL's connect timeout) before it answers 503 with Retry-After.
    append_timeout_ms: int = field(
        default_factory=lambda: _int("EVENTLENS_APPEND_TIMEOUT_MS", 2000)
    )
    host: str = field(default_factory=lambda: _str("EVENTLENS_HOST") or "127.0.0.1")
    port: int = field(default_factory=lambda: _int("EVENTLENS_PORT", 8000))
    embedded_pg_port: int = field(default_factory=lambda: _int("EVENTLENS_EMBEDDED_PG_PORT", 0))
    admin_password: str | None = field(default_factory=lambda: _str("EVENTLENS_ADMIN_PASSWORD"))
    max_body_bytes: int = field(default_factory=lambda: _int("EVENTLENS_MAX_BODY_BYTES", 64 * 1024))
    max_batch_body_bytes: int = field(
        default_factory=lambda: _int("EVENTLENS_MAX_BATCH_BODY_BYTES", 4 * 1024 * 1024)
    )
    max_batch_events: int = field(default_factory=lambda: _int("EVENTLENS_MAX_BATCH_EVENTS", 1000))
    secret_key: str | None = field(default_factory=lambda: _str("EVENTLENS_SECRET_KEY"))
    cors_origins: str | None = field(default_factory=lambda: _str("EVENTLENS_CORS_ORIGINS"))
    # What a Prometheus scraper sends as its bearer token for /metrics (admins' tokens work too).
    metrics_token: str | None = field(default_factory=lambda: _str("EVENTLENS_METRICS_TOKEN"))
    # A second path serving the tracker script (besides /t.js), e.g. /js/site.js.
    tracker_path: str | None = field(default_factory=lambda: _str("EVENTLENS_TRACKER_PATH"))
    ingest_rate_limit: int = field(default_factory=lambda: _int("EVENTLENS_INGEST_RATE_LIMIT", 200))
    max_request_bytes: int = field(
        default_factory=lambda: _int("EVENTLENS_MAX_REQUEST_BYTES", 1024 * 1024)
    )
    # The longest a REST or GraphQL read may run in PostgreSQL before it is cancelled.
    query_timeout_ms: int = field(
        default_factory=lambda: _int("EVENTLENS_QUERY_TIMEOUT_MS", 10_000)
    )
    # Connection deadlines and limits of each API process (README, "Configuration").
    header_timeout_s: int = field(default_factory=lambda: _int("EVENTLENS_HEADER_TIMEOUT_S", 10))
    body_timeout_s: int = field(default_factory=lambda: _int("EVENTLENS_BODY_TIMEOUT_S", 30))
    idle_timeout_s: int = field(default_factory=lambda: _int("EVENTLENS_IDLE_TIMEOUT_S", 5))
    max_connections: int = field(default_factory=lambda: _int("EVENTLENS_MAX_CONNECTIONS", 10_000))
    max_connections_per_address: int = field(
        default_factory=lambda: _int("EVENTLENS_MAX_CONNECTIONS_PER_ADDRESS", 256)
    )
    # What one user may hold open and run at once on the read side.
    max_sockets_per_user: int = field(
        default_factory=lambda: _int("EVENTLENS_MAX_SOCKETS_PER_USER", 10)
    )
    max_subscriptions_per_user: int = field(
        default_factory=lambda: _int("EVENTLENS_MAX_SUBSCRIPTIONS_PER_USER", 50)
    )
    costly_reads_per_user: int = field(
        default_factory=lambda: _int("EVENTLENS_COSTLY_READS_PER_USER", 2)
    )
    graphql_cost_budget: int = field(
        default_factory=lambda: _int("EVENTLENS_GRAPHQL_COST_BUDGET", 2000)
    )
    # HTTP server processes of `eventlens up` / `eventlens api`; they share one socket.
    # Half the cores by default: the other half goes to PostgreSQL (or the broker) and the
    # projection workers (docs/BENCHMARKS.md, "Half the cores serve HTTP").
    api_processes: int = field(
        default_factory=lambda: _int("EVENTLENS_API_PROCESSES", max(1, (os.cpu_count() or 1) // 2))
    )
    log_level: str = field(default_factory=lambda: _str("EVENTLENS_LOG_LEVEL") or "INFO")
    # `text`, or `json`: one JSON object a line (eventlens/logs.py).
    log_format: str = field(
        default_factory=lambda: (_str("EVENTLENS_LOG_FORMAT") or "text").strip().lower()
    )
    # One line per REST, GraphQL and dashboard request (ingest is counted in /metrics).
    access_log: bool = field(
        default_factory=lambda: (
            (_str("EVENTLENS_ACCESS_LOG") or "on").lower() not in ("0", "off", "false", "no")
        )
    )

    # The offline IP-to-city database (scripts/geoip fetches DB-IP Lite into the cache).
    geoip_db: Path | None = field(default_factory=_geoip_db)
    # A visit ends after this long without an event from its visitor.
    visit_timeout_minutes: int = field(
        default_factory=lambda: _int("EVENTLENS_VISIT_TIMEOUT_MINUTES", 30)
    )

    # How often a worker expires what the sites' retention periods no longer keep.
    retention_interval_s: int = field(
        default_factory=lambda: _int("EVENTLENS_RETENTION_INTERVAL_S", 3600)
    )
    # Alerts and e-mail reports (README, "Alerts and e-mail reports").
    alert_interval_s: int = field(default_factory=lambda: _int("EVENTLENS_ALERT_INTERVAL_S", 60))
    # The dashboard's address as recipients reach it, for links in e-mails and webhooks.
    public_url: str | None = field(default_factory=lambda: _str("EVENTLENS_PUBLIC_URL"))
    smtp_host: str | None = field(default_factory=lambda: _str("EVENTLENS_SMTP_HOST"))
    smtp_port: int = field(default_factory=lambda: _int("EVENTLENS_SMTP_PORT", 587))
    # `starttls` (upgrade a plain connection), `tls` (TLS from the start, port 465) or `none`.
    smtp_security: str = field(
        default_factory=lambda: (_str("EVENTLENS_SMTP_SECURITY") or "starttls").strip().lower()
    )
    smtp_user: str | None = field(default_factory=lambda: _str("EVENTLENS_SMTP_USER"))
    smtp_password: str | None = field(default_factory=lambda: _str("EVENTLENS_SMTP_PASSWORD"))
    smtp_from: str | None = field(default_factory=lambda: _str("EVENTLENS_SMTP_FROM"))
    # Hosts webhooks may reach although they resolve to private, loopback or link-local
    # addresses (comma-separated); `*` lifts the check (docs/ALERTS.md, "Webhooks and SSRF").
    webhook_allowed_hosts: str | None = field(
        default_factory=lambda: _str("EVENTLENS_WEBHOOK_ALLOWED_HOSTS")
    )

    @property
    def visit_timeout(self) -> timedelta:
        return timedelta(minutes=max(1, self.visit_timeout_minutes))

    @property
    def uses_kafka(self) -> bool:
        return self.kafka_bootstrap is not None

    def with_overrides(self, **changes: object) -> Settings:
        values = {k: v for k, v in changes.items() if v is not None}
        return Settings(**{**self.__dict__, **values})
