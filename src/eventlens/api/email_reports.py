"""A site's e-mail report (`/api/adaptors/{container_id}/email-report`: admins choose the
period and the recipients) and the public unsubscribe link its messages carry."""

from __future__ import annotations

import asyncio
from datetime import datetime
from html import escape
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from eventlens.alerting.unsubscribe import read_unsubscribe_token
from eventlens.api.deps import ActorDep, AdminDep, CommandsDep, PlatformDep
from eventlens.api.errors import documented
from eventlens.commands.configure_email_report import ConfigureEmailReport, configure_email_report
from eventlens.commands.unsubscribe_from_report import (
    UnsubscribeFromReport,
    unsubscribe_from_report,
)
from eventlens.domain.email_reports import EmailReport
from eventlens.domain.errors import NotFound

router = APIRouter(tags=["e-mail reports"])
ContainerId = Annotated[str, Path(max_length=20, description="The container id, CAP-XXXXXX")]
Token = Annotated[str, Query(max_length=2000, description="The token of a report's link")]


class EmailReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: str | None = Field(None, description="`weekly` (Mondays) or `monthly` (the 1st)")
    recipients: list[str] | None = Field(None, max_length=20, examples=[["ann@example.com"]])


class EmailReportOut(BaseModel):
    site_id: str
    period: str
    recipients: list[str]
    updated_at: datetime | None

    @classmethod
    def of(cls, container_id: str, report: EmailReport | None) -> EmailReportOut:
        if report is None:
            return cls(site_id=container_id, period="weekly", recipients=[], updated_at=None)
        return cls(
            site_id=container_id,
            period=report.period,
            recipients=list(report.recipients),
            updated_at=report.modified_on,
        )


@router.get(
    "/api/adaptors/{container_id}/email-report",
    response_model=EmailReportOut,
    responses=documented(401, 404),
)
def get_report(container_id: ContainerId, actor: ActorDep, platform: PlatformDep) -> EmailReportOut:
    """The site's report settings (no recipients: no report is sent)."""
    if platform.cache.adaptor(container_id) is None:
        raise NotFound(f"adaptor {container_id!r} does not exist")
    return EmailReportOut.of(container_id, platform.cache.email_report(container_id))


@router.put(
    "/api/adaptors/{container_id}/email-report",
    response_model=EmailReportOut,
    responses=documented(401, 403, 404, 409, 422),
)
def put_report(
    container_id: ContainerId, body: EmailReportIn, actor: AdminDep, commands: CommandsDep
) -> EmailReportOut:
    """Choose the period and the recipients. The first report goes out within a minute, for
    the last complete period; then one each period."""
    command = ConfigureEmailReport(actor, container_id, body.period, body.recipients)
    return EmailReportOut.of(container_id, commands(configure_email_report, command))


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;
color:#1f2937"><main><h1 style="font-size:1.4rem">{title}</h1>{body}</main></body></html>"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(PAGE.format(title=escape(title), body=body), status_code=status)


@router.get("/api/reports/unsubscribe", response_class=HTMLResponse, include_in_schema=True)
def unsubscribe_page(token: Token, platform: PlatformDep) -> HTMLResponse:
    """Public: the page a report's unsubscribe link opens, with one button. Opening it changes
    nothing (mail scanners open links); the button, or a mail client's one-click POST, does."""
    found = read_unsubscribe_token(platform.token_secret, token)
    if found is None:
        return _page("This link does not work", "<p>It may have been cut short.</p>", 404)
    container_id, address = found
    adaptor = platform.cache.adaptor(container_id)
    site = adaptor.name if adaptor else container_id
    form = (
        f"<p>Stop sending the e-mail report of <strong>{escape(site)}</strong> to "
        f"<strong>{escape(address)}</strong>?</p>"
        f'<form method="post" action="?token={escape(token)}">'
        f'<button type="submit" style="font-size:1rem;padding:.5rem 1rem">Unsubscribe'
        f"</button></form>"
    )
    return _page("Unsubscribe from this report", form)


@router.post("/api/reports/unsubscribe", response_class=HTMLResponse)
async def unsubscribe(token: Token, platform: PlatformDep, commands: CommandsDep) -> HTMLResponse:
    """Public: remove the link's address from the site's report (the link's own URL, as the
    page's button and RFC 8058's one-click POST send it)."""
    found = read_unsubscribe_token(platform.token_secret, token)
    if found is None:
        return _page("This link does not work", "<p>It may have been cut short.</p>", 404)
    container_id, address = found
    await platform.sync_catalog()
    command = UnsubscribeFromReport(container_id, address)
    await asyncio.to_thread(commands, unsubscribe_from_report, command)
    return _page(
        "You are unsubscribed",
        f"<p>{escape(address)} will receive no more reports of this site.</p>",
    )
