"""Alert rules and e-mail reports through REST against a real `eventlens up` (both event-store
modes) whose workers send to a real local SMTP server: rules checked field by field and by
role; last week's report, with the events imported for it, arrives as multipart text and HTML
(screenshot in test-artifacts/screenshots/email-report.png) and its unsubscribe link works
without signing in."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.platform import ADMIN_PASSWORD, RunningPlatform
from tests.receivers import Inbox, smtp_server
from tests.services import fresh_database

pytestmark = [pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
SITE = "https://report.example"
AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
TODAY = datetime.now(UTC).date()
LAST_MONDAY = TODAY - timedelta(days=TODAY.weekday() + 7)
VIEWER_PASSWORD = "viewer-password-2"


@dataclass(frozen=True)
class Running:
    platform: RunningPlatform
    inbox: Inbox
    site: str
    viewer: dict[str, str]


@pytest.fixture(scope="module", params=["postgres", "kafka"])
def running(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres_server: str
) -> Iterator[Running]:
    env = {
        "EVENTLENS_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "EVENTLENS_INGEST_RATE_LIMIT": "0",
        "EVENTLENS_ALERT_INTERVAL_S": "1",
        "EVENTLENS_SMTP_SECURITY": "none",
        "EVENTLENS_SMTP_FROM": "reports@eventlens.test",
    }
    if request.param == "kafka":
        env["EVENTLENS_KAFKA_BOOTSTRAP"] = request.getfixturevalue("kafka_bootstrap")
        env["EVENTLENS_KAFKA_TOPIC_PREFIX"] = f"t{uuid.uuid4().hex[:10]}."
        env["EVENTLENS_KAFKA_PARTITIONS"] = "3"
    data_dir = tmp_path_factory.mktemp(f"alerts-{request.param}") / "data"
    with smtp_server() as (inbox, smtp_port), fresh_database(postgres_server) as database_url:
        env |= {"EVENTLENS_DATABASE_URL": database_url, "EVENTLENS_SMTP_HOST": "127.0.0.1"}
        env["EVENTLENS_SMTP_PORT"] = str(smtp_port)
        platform = RunningPlatform(data_dir, env)
        platform.env["EVENTLENS_PUBLIC_URL"] = f"http://127.0.0.1:{platform.port}"
        try:
            platform.start()
            yield Running(platform, inbox, *_site(platform))
        finally:
            platform.close()


def _site(p: RunningPlatform) -> tuple[str, dict[str, str]]:
    schema = {"name": "report_shop", "description": "A shop", "properties": {"Signup": {}}}
    assert p.admin_post("/api/schemas/", schema).status_code == 201
    adaptor = p.admin_post(
        "/api/adaptors/", {"name": "Report shop", "schema_id": "report_shop", "website_url": SITE}
    )
    assert adaptor.status_code == 201, adaptor.text
    container_id: str = adaptor.json()["container_id"]
    user = {"username": "rita", "password": VIEWER_PASSWORD, "role": "viewer"}
    assert p.admin_post("/api/users/", user).status_code == 201
    return container_id, {"Authorization": f"Bearer {p.login('rita', VIEWER_PASSWORD)}"}


def _import(p: RunningPlatform, site: str, visits: list[tuple[int, str, str, str | None]]) -> None:
    """Visits (day of last week, visitor address, path, referrer) at 10:00 that day."""
    for number, (day, address, path, referrer) in enumerate(visits):
        moment = f"{(LAST_MONDAY + timedelta(days=day)).isoformat()}T10:{number:02d}:00Z"
        event = {
            "container_id": site,
            "event_id": str(uuid.uuid4()),
            "event_type": "page_view",
            "url": f"{SITE}{path}",
            "properties": {},
            "timestamp": moment,
        }
        if referrer:
            event["referrer"] = referrer
        headers = {"X-Forwarded-For": address, "User-Agent": AGENT, **p.auth()}
        answer = p.client.post("/api/events/import", json={"events": [event]}, headers=headers)
        assert answer.status_code == 202, answer.text
    deadline = time.monotonic() + 60
    while len(p.recent(limit=1000, adaptor_id=site)) < len(visits):
        assert time.monotonic() < deadline, "the events were not projected"
        time.sleep(0.1)


def field_of(answer: dict[str, Any]) -> str:
    """The field an error names: the domain's, or the first of the request's validation."""
    error = answer["error"]
    return str(error.get("field") or error["details"][0]["field"])


def test_alert_rules_are_managed_by_admins_and_bad_settings_are_named(running: Running) -> None:
    p, site = running.platform, running.site
    # Given bad settings, when an admin creates a rule, then the answer names the field.
    for body, field in [
        ({"site_id": site, "kind": "earthquake"}, "kind"),
        ({"site_id": site, "kind": "traffic", "weeks": 99}, "weeks"),
        ({"site_id": site, "kind": "bots", "webhook_url": "file:///etc/passwd"}, "webhook_url"),
        ({"site_id": site, "kind": "bots", "emails": ["nobody"]}, "emails"),
        ({"site_id": site, "kind": "goal_conversions", "goal": "Signup"}, "goal"),  # no goal
        ({"site_id": site, "kind": "bots", "threshold": "lots"}, "threshold"),
        ({"site_id": site, "kind": "bots", "colour": "red"}, "colour"),
    ]:
        refused = p.admin_post("/api/alerts/", body)
        assert refused.status_code == 422, (body, refused.text)
        assert field_of(refused.json()) == field, refused.text
    missing = p.admin_post("/api/alerts/", {"site_id": "CAP-NONE99", "kind": "bots"})
    assert (missing.status_code, field_of(missing.json())) == (404, "site_id")

    # When an admin creates a rule, a viewer lists it (without the webhook's secret path).
    hook = "https://hooks.example/services/T000/B000/secret"
    body = {"site_id": SITE.removeprefix("https://"), "kind": "traffic", "webhook_url": hook}
    created = p.admin_post("/api/alerts/", body)
    assert created.status_code == 201, created.text
    rule = created.json()
    assert (rule["site_id"], rule["settings"]["threshold"]) == (site, 3.0)
    listed = p.client.get("/api/alerts/", params={"site_id": site}, headers=running.viewer)
    assert [r["id"] for r in listed.json()] == [rule["id"]]
    assert listed.json()[0]["settings"]["webhook_url"] == "https://hooks.example/…"
    assert p.client.get("/api/alerts/", params={"site_id": site}).status_code == 401

    # A viewer may not change or delete it; an admin may.
    path = f"/api/alerts/{rule['id']}"
    viewer = running.viewer
    assert p.client.patch(path, json={"weeks": 5}, headers=viewer).status_code == 403
    assert p.client.delete(path, headers=viewer).status_code == 403
    assert p.admin_post("/api/alerts/", {"site_id": site, "kind": "bots"} | {}).status_code == 201
    changed = p.client.patch(path, json={"weeks": 6, "webhook_url": None}, headers=p.auth())
    assert changed.status_code == 200, changed.text
    assert (changed.json()["settings"]["weeks"], changed.json()["settings"]["webhook_url"]) == (
        6,
        None,
    )
    bad = p.client.patch(path, json={"direction": "up"}, headers=p.auth())
    assert (bad.status_code, field_of(bad.json())) == (422, "direction")
    assert p.client.delete(path, headers=p.auth()).status_code == 200
    assert p.client.get(path, headers=p.auth()).status_code == 404
    assert p.client.delete(path, headers=p.auth()).status_code == 404
    assert p.client.patch(path, json={"weeks": 7}, headers=p.auth()).status_code == 404
    assert p.client.get("/api/alerts/not-a-uuid", headers=p.auth()).status_code == 422

    # The firings of the site (none yet); a range without an offset is refused by name.
    firings = p.client.get("/api/alerts/firings", params={"site_id": site}, headers=viewer)
    assert (firings.status_code, firings.json()) == (200, [])
    naive = {"site_id": site, "from": "2026-01-01T00:00:00"}
    refused = p.client.get("/api/alerts/firings", params=naive, headers=viewer)
    assert (refused.status_code, field_of(refused.json())) == (422, "from")


def reports(inbox: Inbox) -> list[EmailMessage]:
    return [m for m in inbox.messages if m["Subject"].startswith("Weekly report")]


def test_the_workers_evaluate_rules_send_an_alert_and_the_firing_is_listed_for_the_graph(
    running: Running,
) -> None:
    p, site = running.platform, running.site
    rule = {
        "site_id": site,
        "kind": "rejected_events",
        "name": "Rejections",
        "threshold": 0,
        "emails": ["ops@report.example"],
    }
    assert p.admin_post("/api/alerts/", rule).status_code == 201
    # When an event the schema does not know is sent, it is rejected...
    event = {
        "container_id": site,
        "event_id": str(uuid.uuid4()),
        "event_type": "no_such_event",
        "url": f"{SITE}/",
        "properties": {},
    }
    answer = p.client.post("/api/events/import", json={"events": [event]}, headers=p.auth())
    assert (answer.status_code, answer.json()["rejected"]) == (422, 1), answer.text
    # ...then within a few evaluations one alert e-mail arrives, and the firing is listed.
    deadline = time.monotonic() + 60
    while not [m for m in running.inbox.messages if m["Subject"].startswith("[EventLens]")]:
        assert time.monotonic() < deadline, "no alert arrived"
        time.sleep(0.2)
    [alert] = [m for m in running.inbox.messages if m["Subject"].startswith("[EventLens]")]
    assert alert["Subject"] == "[EventLens] Alert: Rejections on Report shop"
    assert "1 events rejected in the last 60 minutes" in alert.get_content()
    assert f"http://127.0.0.1:{p.port}/sites/{site}" in alert.get_content()
    firings = p.client.get("/api/alerts/firings", params={"site_id": site}, headers=p.auth())
    [firing] = firings.json()
    assert (firing["rule_name"], firing["observed"], firing["resolved_at"]) == (
        "Rejections",
        1,
        None,
    )


def test_last_weeks_report_arrives_reads_well_and_unsubscribes_without_login(
    running: Running,
) -> None:
    p, site = running.platform, running.site
    _import(
        p,
        site,
        [
            (0, "198.51.100.1", "/", "https://www.google.com/"),
            (0, "198.51.100.2", "/pricing", "https://news.ycombinator.com/"),
            (1, "198.51.100.3", "/", "https://www.google.com/"),
            (2, "198.51.100.4", "/blog/launch", None),
            (4, "198.51.100.5", "/pricing", "https://www.google.com/"),
            (-3, "198.51.100.6", "/", None),  # the week before: compared with
        ],
    )
    path = f"/api/adaptors/{site}/email-report"
    bad = p.client.put(path, json={"period": "daily"}, headers=p.auth())
    assert (bad.status_code, field_of(bad.json())) == (422, "period")
    bad = p.client.put(path, json={"recipients": ["not-mail"]}, headers=p.auth())
    assert (bad.status_code, field_of(bad.json())) == (422, "recipients")
    assert p.client.put(path, json={"period": "weekly"}, headers=running.viewer).status_code == 403

    recipients = ["ann@report.example", "bob@report.example"]
    body = {"period": "weekly", "recipients": recipients}
    configured = p.client.put(path, json=body, headers=p.auth())
    assert configured.status_code == 200, configured.text

    # Then, within a few evaluations, one report per recipient arrives, and no more.
    deadline = time.monotonic() + 60
    while len(reports(running.inbox)) < 2:
        assert time.monotonic() < deadline, "no report arrived"
        time.sleep(0.2)
    time.sleep(3)
    assert len(reports(running.inbox)) == 2
    ann = next(m for m in reports(running.inbox) if m["To"] == recipients[0])
    assert ann["Subject"].startswith("Weekly report for Report shop:")
    assert ann.get_content_type() == "multipart/alternative"
    text = ann.get_body(("plain",)).get_content()
    html = ann.get_body(("html",)).get_content()
    assert re.search(r"Unique visitors\s+5\s+\+400 %", text), text
    assert re.search(r"Google\s+3", text), text
    assert re.search(r"/pricing\s+2", text), text
    assert "Report shop" in html
    assert ann["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    SHOTS.mkdir(parents=True, exist_ok=True)
    page = SHOTS / "email-report.html"
    page.write_text(html)
    assert shutil.which("node"), "node is needed for the screenshot"
    shot = subprocess.run(
        ["node", "e2e/screenshotHtml.mjs", str(page), str(SHOTS / "email-report.png")],
        cwd=ROOT / "dashboard",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shot.returncode == 0, shot.stderr
    assert json.loads(shot.stdout.strip().splitlines()[-1]) == {"requests": [], "overflows": False}

    # When Ann follows her link: a page with a button, and nothing changed yet...
    link = re.search(r"Unsubscribe from this report: (\S+)", text)
    assert link is not None
    url = link.group(1).removeprefix(f"http://127.0.0.1:{p.port}")
    page_answer = p.client.get(url)
    assert page_answer.status_code == 200
    assert "ann@report.example" in page_answer.text
    assert p.client.get(path, headers=p.auth()).json()["recipients"] == recipients
    # ...then the button (no sign-in) removes her, and only her.
    done = p.client.post(url)
    assert (done.status_code, "You are unsubscribed" in done.text) == (200, True)
    assert p.client.get(path, headers=p.auth()).json()["recipients"] == recipients[1:]
    forged = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    assert p.client.post(forged).status_code == 404


def graphql(p: RunningPlatform, query: str, headers: dict[str, str]) -> dict[str, Any]:
    answer = p.client.post("/graphql", json={"query": query}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def refusal(answer: dict[str, Any]) -> tuple[int, str | None]:
    extensions = answer["errors"][0]["extensions"]
    return extensions["status"], extensions.get("field")


def test_graphql_manages_alert_rules_and_goals_as_rest_does(running: Running) -> None:
    p, site, viewer = running.platform, running.site, running.viewer
    create = (
        f'mutation {{ createAlertRule(siteId: "{site}", kind: "traffic", settings: '
        '{name: "GraphQL rule", enabled: false, webhookUrl: "https://hooks.example/s/secret"}) '
        "{ id siteId settings { kind name enabled threshold weeks webhookUrl } } }"
    )
    # A viewer may not create a rule; a bad setting is named as GraphQL spells it.
    assert refusal(graphql(p, create, viewer)) == (403, None)
    bad = create.replace("enabled: false", "enabled: false, windowMinutes: 30")
    assert refusal(graphql(p, bad, p.auth())) == (422, "windowMinutes")
    unknown = create.replace(f'siteId: "{site}"', 'siteId: "CAP-NONE99"')
    assert refusal(graphql(p, unknown, p.auth())) == (404, "siteId")

    # When an admin creates a rule, REST has it, and a viewer lists it without the secret.
    rule = graphql(p, create, p.auth())["data"]["createAlertRule"]
    assert rule["settings"] == {
        "kind": "traffic",
        "name": "GraphQL rule",
        "enabled": False,
        "threshold": 3.0,
        "weeks": 4,
        "webhookUrl": "https://hooks.example/s/secret",
    }
    rest = p.client.get(f"/api/alerts/{rule['id']}", headers=p.auth()).json()
    assert rest["settings"]["name"] == "GraphQL rule"
    listed = graphql(
        p, f'{{ alertRules(siteId: "{site}") {{ id settings {{ webhookUrl }} }} }}', viewer
    )
    [mine] = [r for r in listed["data"]["alertRules"] if r["id"] == rule["id"]]
    assert mine["settings"]["webhookUrl"] == "https://hooks.example/…"

    # An admin changes it (left out: kept; null: the default); a viewer may not.
    change = (
        f'mutation {{ changeAlertRule(id: "{rule["id"]}", '
        "settings: {weeks: 6, webhookUrl: null}) { settings { name weeks webhookUrl } } }"
    )
    assert refusal(graphql(p, change, viewer)) == (403, None)
    changed = graphql(p, change, p.auth())["data"]["changeAlertRule"]["settings"]
    assert changed == {"name": "GraphQL rule", "weeks": 6, "webhookUrl": None}
    wrong = change.replace("weeks: 6", "weeks: 99")
    assert refusal(graphql(p, wrong, p.auth())) == (422, "weeks")

    # The firings are REST's; a rule deleted is gone, and deleting it again is a 404.
    firings = graphql(p, f'{{ alertFirings(siteId: "{site}") {{ id ruleName }} }}', viewer)
    from_rest = p.client.get("/api/alerts/firings", params={"site_id": site}, headers=viewer)
    assert [f["id"] for f in firings["data"]["alertFirings"]] == [f["id"] for f in from_rest.json()]
    delete = f'mutation {{ deleteAlertRule(id: "{rule["id"]}") {{ id }} }}'
    assert refusal(graphql(p, delete, viewer)) == (403, None)
    assert "errors" not in graphql(p, delete, p.auth())
    assert p.client.get(f"/api/alerts/{rule['id']}", headers=p.auth()).status_code == 404
    assert refusal(graphql(p, delete, p.auth()))[0] == 404
    assert refusal(graphql(p, change.replace(rule["id"], "not-a-uuid"), p.auth())) == (422, "id")

    # Goals: added and removed by admins only, as REST lists them.
    add = f'mutation {{ addGoal(siteId: "{site}", eventName: "Signup") {{ id name goalType }} }}'
    assert refusal(graphql(p, add, viewer)) == (403, None)
    both = add.replace('eventName: "Signup"', 'eventName: "Signup", pagePath: "/"')
    assert refusal(graphql(p, both, p.auth()))[0] == 422
    goal = graphql(p, add, p.auth())["data"]["addGoal"]
    assert (goal["name"], goal["goalType"]) == ("Signup", "event")
    assert refusal(graphql(p, add, p.auth())) == (409, "eventName")  # the same goal again
    goals = p.client.get("/api/goals/", params={"site_id": site}, headers=p.auth()).json()
    assert goal["id"] in [g["id"] for g in goals]
    remove = f'mutation {{ removeGoal(id: "{goal["id"]}") {{ name }} }}'
    assert refusal(graphql(p, remove, viewer)) == (403, None)
    assert graphql(p, remove, p.auth())["data"]["removeGoal"] == {"name": "Signup"}
    assert refusal(graphql(p, remove, p.auth())) == (404, "id")
