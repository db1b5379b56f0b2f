"""The `eventlens` command."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
from pathlib import Path

from eventlens.config import Settings
from eventlens.logs import announce, configure_logging


def _settings(args: argparse.Namespace) -> Settings:
    return Settings().with_overrides(
        port=getattr(args, "port", None),
        host=getattr(args, "host", None),
        data_dir=Path(args.data_dir) if getattr(args, "data_dir", None) else None,
    )


def _listen(settings: Settings) -> socket.socket:
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
    except OSError as error:
        sock.close()
        raise SystemExit(
            f"cannot listen on {settings.host}:{settings.port}: {error.strerror}; "
            "choose another port with --port or EVENTLENS_PORT (and the address with --host "
            "or EVENTLENS_HOST)"
        ) from None
    sock.set_inheritable(True)
    return sock


def _replica(text: str) -> int:
    """`--replica LISTEN_FD`, as the first API process passes it."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected LISTEN_FD") from None


def _serve(settings: Settings, *, run_workers: bool, replica: int | None = None) -> None:
    from eventlens.api.metrics_dir import use_multiprocess_dir

    use_multiprocess_dir()  # before anything imports prometheus_client
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from eventlens.api.app import create_app
    from eventlens.api.connection_guard import ConnectionLimits
    from eventlens.api.http_protocol import serving_ingest
    from eventlens.runtime.platform import Serving

    if replica is None:
        processes = settings.api_processes
        if not 1 <= processes <= 64:
            raise SystemExit(f"EVENTLENS_API_PROCESSES must be 1..64, not {processes}")
        sock = _listen(settings)
        serving = Serving(sock.fileno(), processes - 1)
    else:
        sock = socket.socket(fileno=replica)
        serving = Serving(replica, 0)
    app = create_app(settings, run_workers=run_workers, serving=serving)
    if replica is None:
        host, port = sock.getsockname()[:2]
        announce(
            f"EventLens listening on http://{host}:{port} "
            f"({settings.api_processes} API process{'es' if settings.api_processes > 1 else ''})"
        )
    # uvicorn's own default, spelled out: older releases trusted 127.0.0.1 only.
    forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
    limits = ConnectionLimits(
        header_timeout=settings.header_timeout_s,
        body_timeout=settings.body_timeout_s,
        idle_timeout=settings.idle_timeout_s,
        max_connections=settings.max_connections,
        max_per_address=settings.max_connections_per_address,
    )
    config = uvicorn.Config(
        app,
        http=serving_ingest(app.ingest, forwarded_allow_ips, limits),
        timeout_keep_alive=settings.idle_timeout_s,
        log_level="warning",
        timeout_graceful_shutdown=5,
        access_log=False,  # api/access_log.py writes it, with request ids and durations
        # In JSON, uvicorn's lines go through the root logger's format like every other.
        log_config=None if settings.log_format == "json" else LOGGING_CONFIG,
        forwarded_allow_ips=forwarded_allow_ips,
        # A GraphQL WebSocket message is read (and decompressed) whole before any check: the
        # same limit as an HTTP body, not uvicorn's 16 MiB.
        ws_max_size=settings.max_request_bytes,
    )
    # The access log's level is its own, whatever the level of the rest of the log.
    access_level = logging.INFO if settings.access_log else logging.WARNING
    logging.getLogger("eventlens.access").setLevel(access_level)
    uvicorn.Server(config).run(sockets=[sock])


def cmd_up(args: argparse.Namespace) -> None:
    """API, ingest and projection workers (embedded PostgreSQL by default)."""
    _serve(_settings(args), run_workers=True)


def cmd_api(args: argparse.Namespace) -> None:
    _serve(_settings(args), run_workers=False, replica=args.replica)


def cmd_worker(args: argparse.Namespace) -> None:
    from eventlens.projections.read_ahead import SWITCH_INTERVAL
    from eventlens.runtime.database import resolve_database_url
    from eventlens.runtime.workers import Workers

    sys.setswitchinterval(SWITCH_INTERVAL)
    settings = _settings(args)
    workers = Workers(settings, resolve_database_url(settings))
    workers.start()
    signal.signal(signal.SIGTERM, lambda *_: workers.stop.set())
    announce("EventLens projection workers running")
    try:
        while not workers.stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    workers.close()


def cmd_dsn(args: argparse.Namespace) -> None:
    settings = _settings(args)
    if settings.database_url:
        print(settings.database_url)
        return
    from eventlens import embedded_postgres
    from eventlens.analyst_role import ANALYST_ROLE

    if args.owner:
        dsn = embedded_postgres.read_dsn(settings.data_dir)
    else:
        dsn = embedded_postgres.read_analyst_dsn(settings.data_dir, ANALYST_ROLE)
    if dsn is None:
        raise SystemExit(f"no embedded database in {settings.data_dir}; run 'eventlens up' first")
    print(dsn)


def cmd_replay(args: argparse.Namespace) -> None:
    """Rebuild read models from the full history while the current ones keep serving."""
    from eventlens.projections.read_ahead import SWITCH_INTERVAL
    from eventlens.runtime.replay import replay_projections

    sys.setswitchinterval(SWITCH_INTERVAL)
    replay_projections(_settings(args), args.projections)


def cmd_reprocess_rejected(args: argparse.Namespace) -> None:
    """Append the rejected events that pass their checks now (after a schema fix)."""
    import asyncio

    from eventlens.api.reprocess import reprocess_all
    from eventlens.commands.actor import SYSTEM
    from eventlens.runtime.platform import Platform

    async def run() -> None:
        platform = Platform(_settings(args), run_workers=False)
        await platform.start()
        try:
            outcome = await reprocess_all(platform, SYSTEM, args.schema)
        finally:
            await platform.stop()
        print(
            f"re-processed {outcome.reprocessed} rejected event(s); "
            f"{outcome.still_rejected} still fail their checks"
        )

    asyncio.run(run())


def cmd_forget(args: argparse.Namespace) -> None:
    """Erase a subject: delete their key and blank them in the read models."""
    import asyncio
    import getpass

    from eventlens.commands.actor import Actor
    from eventlens.commands.erase_subject import EraseSubject, erase_subject
    from eventlens.domain.errors import DomainError
    from eventlens.domain.user import Role
    from eventlens.runtime.platform import Platform

    actor = Actor(username=args.by or f"cli:{getpass.getuser()}", role=Role.ADMIN)

    async def run() -> str:
        platform = Platform(_settings(args), run_workers=False)
        await platform.start()
        try:
            command = EraseSubject(actor, args.user)
            return await asyncio.to_thread(erase_subject, command, platform.catalog, platform.keys)
        finally:
            await platform.stop()

    try:
        subject = asyncio.run(run())
    except DomainError as error:
        sys.exit(f"eventlens forget: {error.message}")
    print(
        f"erased: the user's events are kept as subject {subject}, their personal data unreadable"
    )


def cmd_graphql_schema(args: argparse.Namespace) -> None:
    """Print the GraphQL schema (SDL), e.g. for the dashboard's typed operations."""
    from eventlens.graphql.schema import schema

    print(schema.as_str())


def cmd_backup(args: argparse.Namespace) -> None:
    """The event history, the catalog and the secrets, consistent at one point in time."""
    from eventlens.operations.backup import BackupRefused, backup, summary

    settings = _settings(args)
    try:
        manifest = backup(Path(args.directory), settings)
    except BackupRefused as refused:
        raise SystemExit(f"backup refused: {refused}") from None
    print(
        summary(
            Path(args.directory), manifest, None if settings.database_url else settings.data_dir
        )
    )


def cmd_restore(args: argparse.Namespace) -> None:
    """A new data directory from a backup, its read models rebuilt by replay."""
    from eventlens.operations.manifest import BadBackup
    from eventlens.operations.restore import RestoreRefused, restore

    settings = _settings(args)
    try:
        manifest = restore(Path(args.directory), settings)
    except BadBackup as bad:
        raise SystemExit(f"restore refused: {bad}") from None
    except RestoreRefused as refused:
        raise SystemExit(f"restore refused: {refused}") from None
    print(
        f"restored {sum(manifest['events'].values()):,} events into {settings.data_dir}; "
        "start it with 'eventlens up'"
    )


def cmd_export_events(args: argparse.Namespace) -> None:
    from eventlens.operations.transfer import export_events

    export_events(_settings(args), Path(args.file))


def cmd_import_events(args: argparse.Namespace) -> None:
    from eventlens.operations.transfer import import_events

    import_events(_settings(args), Path(args.file))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="eventlens", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: object, help_text: str, *, serve: bool = False) -> None:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument(
            "--data-dir", help="data directory (default: $EVENTLENS_DATA_DIR or ./.eventlens)"
        )
        if serve:
            sub.add_argument(
                "--port", type=int, help="HTTP port (default: $EVENTLENS_PORT or 8000)"
            )
            sub.add_argument("--host", help="bind address (default: $EVENTLENS_HOST or 127.0.0.1)")
        sub.set_defaults(handler=handler)

    add("up", cmd_up, "run everything: API, projection workers, embedded PostgreSQL", serve=True)
    add("api", cmd_api, "run the API alone", serve=True)
    # Internal: how the first API process starts the others on its socket.
    commands.choices["api"].add_argument("--replica", type=_replica, help=argparse.SUPPRESS)
    add("worker", cmd_worker, "run the projection workers alone")
    add("dsn", cmd_dsn, "print the read-only analyst connection string of the embedded database")
    commands.choices["dsn"].add_argument(
        "--owner",
        action="store_true",
        help="the owner's connection string instead (reads and writes everything)",
    )
    add("graphql-schema", cmd_graphql_schema, "print the GraphQL schema (SDL)")
    add("replay", cmd_replay, "rebuild read models from the full history, without downtime")
    commands.choices["replay"].add_argument(
        "projections", nargs="*", help="catalog, events, rejected_events (default: all)"
    )
    add("reprocess-rejected", cmd_reprocess_rejected, "append rejected events that pass now")
    commands.choices["reprocess-rejected"].add_argument("--schema", help="only this schema")

    add("forget", cmd_forget, "erase a subject: delete their key (crypto-shredding)")
    commands.choices["forget"].add_argument("--user", required=True, help="the user id to erase")
    commands.choices["forget"].add_argument(
        "--by", help="who asked, recorded with the erasure (default: cli:<your login>)"
    )
    add("backup", cmd_backup, "back up the event history, catalog and secrets (while running)")
    commands.choices["backup"].add_argument("directory", help="a new or empty directory")
    add("restore", cmd_restore, "create the data directory from a backup and replay it")
    commands.choices["restore"].add_argument("directory", help="the backup's directory")
    add("export-events", cmd_export_events, "write the event history as NDJSON")
    commands.choices["export-events"].add_argument("file", help="a new file (.gz: compressed)")
    add("import-events", cmd_import_events, "append NDJSON events (idempotent by event id)")
    commands.choices["import-events"].add_argument("file", help="NDJSON, as export-events wrote")

    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    args.handler(args)


if __name__ == "__main__":
    main()
