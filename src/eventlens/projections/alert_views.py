"""Read models of what is watched: `alert_rules` and `email_reports`, from the catalog's events.

The alert evaluator reads its rules here, analysts and Grafana too. A deleted rule's row is
kept with `is_deleted`, so the firings recorded for it still name it.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from psycopg.types.json import Jsonb

from eventlens.domain.alerts import AlertRule
from eventlens.domain.email_reports import EmailReport
from eventlens.eventstore.catalog import Catalog
from eventlens.eventstore.port import CATALOG_STREAM, StoredRecord
from eventlens.projections.catalog_views import originator_of

DDL = """
CREATE TABLE IF NOT EXISTS alert_rules (
    rule_id       uuid PRIMARY KEY,
    container_id  text NOT NULL,
    name          text NOT NULL,
    kind          text NOT NULL,
    settings      jsonb NOT NULL,
    is_enabled    boolean NOT NULL,
    is_deleted    boolean NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS alert_rules_site ON alert_rules (container_id);
CREATE TABLE IF NOT EXISTS email_reports (
    container_id  text PRIMARY KEY,
    period        text NOT NULL,
    recipients    text[] NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
"""


class AlertViews:
    name = "alerts"
    version = 1  # raise on a change to the read models (projections/versions.py)
    bulk_load_indexes: tuple[str, ...] = ()
    streams: tuple[str, ...] = (CATALOG_STREAM,)

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def setup(self, conn: psycopg.Connection) -> None:
        conn.execute(DDL)

    def prepare(self, records: Sequence[StoredRecord]) -> Sequence[StoredRecord]:
        return records

    def apply(self, conn: psycopg.Connection, records: Sequence[StoredRecord]) -> None:
        for aggregate_id in dict.fromkeys(originator_of(r)[0] for r in records):
            aggregate = self._catalog.aggregate(aggregate_id)
            if isinstance(aggregate, AlertRule):
                self._rule(conn, aggregate)
            elif isinstance(aggregate, EmailReport):
                self._report(conn, aggregate)

    @staticmethod
    def _rule(conn: psycopg.Connection, rule: AlertRule) -> None:
        conn.execute(
            "INSERT INTO alert_rules VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (rule_id) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
            "settings = excluded.settings, is_enabled = excluded.is_enabled, "
            "is_deleted = excluded.is_deleted, updated_at = excluded.updated_at",
            (
                rule.id,
                rule.container_id,
                rule.settings["name"],
                rule.kind,
                Jsonb(rule.settings),
                bool(rule.settings["enabled"]),
                rule.deleted,
                rule.created_on,
                rule.modified_on,
            ),
        )

    @staticmethod
    def _report(conn: psycopg.Connection, report: EmailReport) -> None:
        conn.execute(
            "INSERT INTO email_reports VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (container_id) DO UPDATE SET period = excluded.period, "
            "recipients = excluded.recipients, updated_at = excluded.updated_at",
            (
                report.container_id,
                report.period,
                report.recipients,
                report.created_on,
                report.modified_on,
            ),
        )
