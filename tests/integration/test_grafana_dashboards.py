"""The provisioned Grafana dashboards work on the real read models: every panel's and every
variable's SQL, built as Grafana builds it (variables, `$__interval`, the PostgreSQL macros),
runs as the read-only analyst role, and the web dashboard gives the known numbers of a known
set of visits."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from eventlens.analyst_role import ANALYST_ROLE, ensure_analyst_role
from eventlens.commands.actor import SYSTEM
from eventlens.commands.create_adaptor import CreateAdaptor, create_adaptor
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.config import Settings
from eventlens.domain.tracking import Reason, RejectedEvent, RejectionCode, TrackedEvent
from eventlens.domain.visitors import ClientContext, Location, PageContext
from eventlens.eventstore.catalog import open_catalog
from eventlens.projections.catalog_views import CatalogViews
from eventlens.projections.rejected_events import RejectedEvents
from eventlens.projections.tracked_events import TrackedEvents
from eventlens.runtime.wiring import PRIVATE_TABLES
from tests import services
from tests.grafana_queries import (
    ALL,
    DATASOURCE_TYPE,
    Dashboard,
    Selection,
    TimeRange,
    grafana_sql,
    load_dashboard,
    options_from,
)
from tests.integration.backends import Backend, drain

pytestmark = [pytest.mark.postgres]

GRAFANA = Path(__file__).resolve().parents[2] / "deploy" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
DAY = datetime(2026, 12, 7, tzinfo=UTC)
RANGE = TimeRange(DAY, DAY + timedelta(days=1))  # the time picker's
INTERVAL = timedelta(hours=1)  # the panels' minimum, which Grafana keeps over a day
CORE_PANELS = {"stat", "timeseries", "table", "text", "barchart", "bargauge", "piechart", "row"}

CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
CAMPAIGN = "utm_source=newsletter&utm_medium=email&utm_campaign=launch"
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:122.0) Gecko/20100101 Firefox/122.0"


@dataclass(frozen=True)
class Visitor:
    id: str
    user_agent: str
    place: Location


ANNA = Visitor("a" * 16, CHROME_MAC, Location("DE", "Berlin", "Berlin"))
BRUNO = Visitor("b" * 16, IPHONE, Location("FR", "Ile-de-France", "Paris"))
CHLOE = Visitor("c" * 16, FIREFOX_LINUX, Location("US", "California", "San Francisco"))


def event(
    site: str,
    visitor: Visitor,
    at: datetime,
    path: str,
    event_type: str = "page_view",
    referrer: str | None = None,
) -> TrackedEvent:
    return TrackedEvent(
        event_id=uuid4(),
        schema_id="sites",
        event_type=event_type,
        received_at=at,
        container_id=site,
        client_timestamp=at,
        client=ClientContext(visitor.id, visitor.user_agent, visitor.place),
        page=PageContext(f"https://shop.example{path}", referrer, 1280),
    )


def shop_visits(shop: str) -> list[TrackedEvent]:
    """3 visitors, 4 visits (2 bounces), 7 page views, 180 s per visit on average."""

    def past_ten(m: int) -> datetime:
        return DAY + timedelta(hours=10, minutes=m)

    return [
        event(shop, ANNA, past_ten(0), "/", referrer="https://www.google.com/"),
        event(shop, ANNA, past_ten(3), "/pricing"),
        event(shop, ANNA, past_ten(5), "/pricing", "signup"),
        event(shop, ANNA, past_ten(9), "/thanks"),
        event(shop, ANNA, past_ten(120), "/blog"),  # a second visit, bounced
        event(shop, BRUNO, past_ten(30), f"/?{CAMPAIGN}"),
        event(shop, BRUNO, past_ten(32), "/pricing"),
        event(shop, CHLOE, past_ten(60), "/blog", referrer="https://news.ycombinator.com/"),
        event(shop, CHLOE, past_ten(61), "/blog", "engagement"),  # not interactive: a bounce
    ]


def bot(site: str, at: datetime) -> RejectedEvent:
    crawler = Visitor("f" * 16, "Googlebot/2.1 (+http://www.google.com/bot.html)", ANNA.place)
    return RejectedEvent(event(site, crawler, at, "/"), (Reason(RejectionCode.BOT, "a bot"),))


@dataclass(frozen=True)
class Sites:
    shop: str
    blog: str
    other_blog: str  # an adaptor with the same name as another


class Analyst:
    """Runs SQL as Grafana's data source would with the analyst role's credentials."""

    def __init__(self, database_url: str, password: str) -> None:
        self._conninfo = make_conninfo(database_url, user=ANALYST_ROLE, password=password)

    def run(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            cursor = conn.execute(sql.encode())
            return [column.name for column in cursor.description or []], cursor.fetchall()


@pytest.fixture(scope="module")
def recorded(postgres_server: str) -> Iterator[tuple[Analyst, Sites]]:
    """The known visits and bots, recorded and projected as in production."""
    with services.fresh_database(postgres_server) as database_url:
        catalog = open_catalog(database_url)
        register_schema(RegisterSchema(SYSTEM, "sites", "Web sites", {"signup": {}}), catalog)
        sites = Sites(
            *(
                create_adaptor(CreateAdaptor(SYSTEM, name, "sites", [url]), catalog).container_id
                for name, url in [
                    ("Shop", "https://shop.example"),
                    ("Blog", "https://blog.example"),
                    ("Blog", "https://blog.example.org"),
                ]
            )
        )
        settings = Settings().with_overrides(database_url=database_url)
        settings = Settings(**{**settings.__dict__, "kafka_bootstrap": None})
        backend = Backend("postgres", settings, database_url)
        earlier = Visitor("d" * 16, CHROME_MAC, ANNA.place)  # visitor ids last a day
        tracked = [
            event(sites.shop, earlier, DAY - timedelta(days=3), "/"),  # before the range
            *shop_visits(sites.shop),
            event(sites.blog, ANNA, DAY + timedelta(hours=10), "/post"),  # another site
        ]
        bots = [
            bot(sites.shop, DAY + timedelta(hours=9)),
            bot(sites.shop, DAY + timedelta(hours=13)),
            bot(sites.shop, DAY - timedelta(days=3)),
            bot(sites.blog, DAY + timedelta(hours=9)),
        ]
        with backend.running_store() as store:
            store.append(tracked)
            store.call(lambda: store.store.append_rejected(bots))
        drain(backend.worker(CatalogViews(catalog)), 4)
        drain(backend.worker(TrackedEvents()), len(tracked))
        drain(backend.worker(RejectedEvents()), len(bots))
        password = secrets.token_urlsafe(16)
        ensure_analyst_role(database_url, password, PRIVATE_TABLES)
        yield Analyst(database_url, password), sites


def selections(dashboard: Dashboard, analyst: Analyst) -> Iterator[dict[str, Selection]]:
    """Every choice of the dashboard's variables, each offered by its own query run with the
    variables before it chosen; "All" too where the variable has it."""

    def extend(chosen: dict[str, Selection], index: int) -> Iterator[dict[str, Selection]]:
        if index == len(dashboard.variables):
            yield chosen
            return
        variable = dashboard.variables[index]
        options = options_from(*analyst.run(grafana_sql(variable.query, chosen, RANGE, INTERVAL)))
        assert options, f"{dashboard.path.name}: variable {variable.name} offers nothing"
        values = [o.value for o in options] + ([ALL] if variable.include_all else [])
        for value in values:
            selection = Selection(variable, (value,) if variable.multi else value, options)
            yield from extend({**chosen, variable.name: selection}, index + 1)

    yield from extend({}, 0)


@pytest.mark.parametrize("path", DASHBOARDS, ids=[p.stem for p in DASHBOARDS])
def test_every_panel_query_runs_as_the_analyst_for_every_variable_value(
    recorded: tuple[Analyst, Sites], path: Path
) -> None:
    analyst, _ = recorded
    dashboard = load_dashboard(path)
    failures = []
    ran = 0
    for chosen in selections(dashboard, analyst):
        values = {name: s.value for name, s in chosen.items()}
        for target in dashboard.targets:
            sql = grafana_sql(target.raw_sql, chosen, RANGE, INTERVAL)
            try:
                columns, _ = analyst.run(sql)
            except psycopg.Error as error:
                failures.append(f"{target.panel} {values}: {error}\n  {sql}")
                continue
            ran += 1
            if target.format == "time_series" and "time" not in columns:
                failures.append(f"{target.panel}: a time series without a time column")
    assert failures == []
    assert ran >= len(dashboard.targets)


@pytest.mark.parametrize("path", DASHBOARDS, ids=[p.stem for p in DASHBOARDS])
def test_every_panel_uses_the_provisioned_postgresql_datasource_and_core_panels(
    path: Path,
) -> None:
    provisioned = (GRAFANA / "provisioning" / "datasources" / "eventlens.yaml").read_text()
    uid = re.search(r"^\s+uid: (\S+)$", provisioned, re.MULTILINE)
    assert uid is not None
    dashboard = load_dashboard(path)
    used = {
        (source["type"], source["uid"])
        for panel in dashboard.panels
        for source in [
            panel.get("datasource"),
            *(t.get("datasource") for t in panel.get("targets", [])),
        ]
        if source
    }
    assert used <= {(DATASOURCE_TYPE, uid.group(1))}
    assert {panel["type"] for panel in dashboard.panels} <= CORE_PANELS


WEB = load_dashboard(GRAFANA / "dashboards" / "eventlens-web.json")


def panel_rows(analyst: Analyst, site: str, title: str) -> list[tuple[Any, ...]]:
    [variable] = WEB.variables
    chosen = {variable.name: Selection(variable, site)}
    return analyst.run(grafana_sql(WEB.target(title).raw_sql, chosen, RANGE, INTERVAL))[1]


def test_the_site_variable_offers_each_site_by_name_and_same_names_apart(
    recorded: tuple[Analyst, Sites],
) -> None:
    analyst, sites = recorded
    [variable] = WEB.variables

    options = options_from(*analyst.run(grafana_sql(variable.query, {}, RANGE, INTERVAL)))

    assert {(o.text, o.value) for o in options} == {
        ("Shop", sites.shop),
        (f"Blog ({sites.blog})", sites.blog),
        (f"Blog ({sites.other_blog})", sites.other_blog),
    }


def test_the_top_stats_are_the_known_visits_of_the_site_in_the_range(
    recorded: tuple[Analyst, Sites],
) -> None:
    analyst, sites = recorded
    titles = [
        "Visitors",
        "Visits",
        "Page views",
        "Views per visit",
        "Bounce rate",
        "Visit duration",
    ]

    stats = {title: panel_rows(analyst, sites.shop, title) for title in titles}

    assert stats == {
        "Visitors": [(3,)],
        "Visits": [(4,)],
        "Page views": [(7,)],
        "Views per visit": [(Decimal("1.75"),)],
        "Bounce rate": [(50,)],
        "Visit duration": [(180,)],
    }
    assert panel_rows(analyst, sites.blog, "Visits") == [(1,)]


def test_the_graph_counts_visitors_and_page_views_per_hour(
    recorded: tuple[Analyst, Sites],
) -> None:
    analyst, sites = recorded

    rows = panel_rows(analyst, sites.shop, "Visitors and page views")

    hour = DAY.timestamp() + 3600 * 10
    assert [(float(t), v, p) for t, v, p in rows] == [
        (hour, 2, 5),
        (hour + 3600, 1, 1),
        (hour + 7200, 1, 1),
    ]


def test_the_breakdowns_count_visitors_and_visits_of_each_entry(
    recorded: tuple[Analyst, Sites],
) -> None:
    analyst, sites = recorded

    def table(title: str) -> Sequence[tuple[Any, ...]]:
        return panel_rows(analyst, sites.shop, title)

    assert table("Top pages") == [
        ("/", 2, 2),
        ("/blog", 2, 2),
        ("/pricing", 2, 2),
        ("/thanks", 1, 1),
    ]
    assert table("Entry pages") == [("/", 2, 2), ("/blog", 2, 2)]
    assert table("Exit pages") == [("/blog", 2, 2), ("/pricing", 1, 1), ("/thanks", 1, 1)]
    assert table("UTM campaigns") == [("launch", 1, 1)]
    assert table("Countries") == [("DE", 1, 2), ("FR", 1, 1), ("US", 1, 1)]
    assert table("Devices") == [("Desktop", 2, 3), ("Mobile", 1, 1)]
    assert table("Top sources") == [
        ("Direct / None", 1, 1),
        ("Google", 1, 1),
        ("Hacker News", 1, 1),
        ("newsletter", 1, 1),
    ]
    assert table("Channels") == [
        ("Direct", 1, 1),
        ("Email", 1, 1),
        ("Organic Search", 1, 1),
        ("Organic Social", 1, 1),
    ]
    assert table("Browsers") == [("Chrome", 1, 2), ("Firefox", 1, 1), ("Safari", 1, 1)]
    assert table("Operating systems") == [("Mac", 1, 2), ("GNU/Linux", 1, 1), ("iOS", 1, 1)]


def test_bots_are_counted_per_day_of_the_site(recorded: tuple[Analyst, Sites]) -> None:
    analyst, sites = recorded

    rows = panel_rows(analyst, sites.shop, "Bot events per day")

    assert rows == [(DAY, 2)]


def test_the_places_are_attributed_to_db_ip_where_they_are_shown() -> None:
    shown = [p for p in WEB.panels if "country" in str(p.get("targets", "")).lower()]
    attribution = "[IP Geolocation by DB-IP](https://db-ip.com)"

    assert shown
    assert all(attribution in p.get("description", "") for p in shown)
    assert any(attribution in p.get("options", {}).get("content", "") for p in WEB.panels)


def test_a_table_outside_the_read_models_is_refused(recorded: tuple[Analyst, Sites]) -> None:
    analyst, _ = recorded

    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        analyst.run("SELECT count(*) FROM eventstore_log")


def test_the_values_chosen_reach_the_sql(recorded: tuple[Analyst, Sites]) -> None:
    """A site's stats are its own: the variable is not ignored by the panels."""
    analyst, sites = recorded

    counts: Mapping[str, list[tuple[Any, ...]]] = {
        site: panel_rows(analyst, site, "Page views") for site in (sites.shop, sites.other_blog)
    }

    assert counts == {sites.shop: [(7,)], sites.other_blog: [(0,)]}
