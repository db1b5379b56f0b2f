"""A report as an e-mail: plain text and HTML alternatives of the same figures.

The HTML is a single table-based column with inline styles, as mail clients render (no
stylesheets, no scripts, no images fetched); every value from the site is escaped.
"""

from __future__ import annotations

from email.message import EmailMessage
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eventlens.alerting.reports import ReportFigures

LABELS = {
    "visitors": "Unique visitors",
    "visits": "Visits",
    "pageviews": "Page views",
    "bounce_rate": "Bounce rate",
    "visit_duration": "Visit duration",
}
INK, MUTED, LINE, ACCENT = "#1f2937", "#4b5563", "#e5e7eb", "#4338ca"
UP, DOWN = "#047857", "#b91c1c"
FONT = "system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"
BODY = f"margin:0;padding:24px;background:#f3f4f6;font-family:{FONT};color:{INK}"
CARD = f"max-width:640px;margin:0 auto;background:#ffffff;border-radius:8px;border:1px solid {LINE}"
BRAND = f"margin:0;font-size:13px;color:{ACCENT};font-weight:600;letter-spacing:.04em"


def shown(metric: str, value: float) -> str:
    if metric == "bounce_rate":
        return f"{value:.0f} %"
    if metric == "visit_duration":
        minutes, seconds = divmod(round(value), 60)
        return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"
    return f"{value:,.0f}"


def change(now: float, before: float) -> str:
    """The change against the previous period, in words a reader takes in at a glance."""
    if before == 0:
        return "new" if now else "no change"
    percent = (now - before) / before * 100
    if round(percent) == 0:
        return "no change"
    return f"{'+' if percent > 0 else '−'}{abs(percent):.0f} %"  # noqa: RUF001 - a minus sign


def heading(figures: ReportFigures) -> str:
    kind = "Weekly" if figures.period_kind == "weekly" else "Monthly"
    return f"{kind} report for {figures.site_name}: {figures.period.label()}"


def report_text(figures: ReportFigures, unsubscribe: str) -> str:
    lines = [heading(figures), "", f"Compared with {figures.previous.label()}:", ""]
    for metric, label in LABELS.items():
        now, before = figures.totals[metric], figures.previous_totals[metric]
        lines.append(f"  {label:<16} {shown(metric, now):>14}   {change(now, before)}")
    for title, rows in _lists(figures):
        lines += ["", f"{title}:"]
        lines += [f"  {name:<40} {value:>8,.0f}" for name, value in rows] or ["  (none)"]
    lines += ["", "--", f"Unsubscribe from this report: {unsubscribe}"]
    return "\n".join(lines) + "\n"


def report_html(figures: ReportFigures, unsubscribe: str) -> str:
    tiles = "".join(_tile(m, label, figures) for m, label in LABELS.items())
    lists = "".join(_list(title, rows) for title, rows in _lists(figures))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(heading(figures))}</title></head>
<body style="{BODY}">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="{CARD}">
<tr><td style="padding:24px 28px 8px">
<p style="{BRAND}">EVENTLENS</p>
<h1 style="margin:6px 0 4px;font-size:22px;line-height:1.3">{escape(heading(figures))}</h1>
<p style="margin:0;font-size:14px;color:{MUTED}">
Compared with {escape(figures.previous.label())}</p>
</td></tr>
<tr><td style="padding:16px 20px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="8"><tr>{tiles}</tr></table>
</td></tr>
{lists}
<tr><td style="padding:16px 28px 24px;font-size:12px;color:{MUTED};border-top:1px solid {LINE}">
You receive this report because an administrator of {escape(figures.site_name)} added your
address. <a href="{escape(unsubscribe)}" style="color:{ACCENT}">Unsubscribe from this report</a>.
</td></tr>
</table></body></html>
"""


def _tile(metric: str, label: str, figures: ReportFigures) -> str:
    now, before = figures.totals[metric], figures.previous_totals[metric]
    delta = change(now, before)
    better = (now > before) != (metric == "bounce_rate")
    colour = MUTED if delta in ("no change", "new") else (UP if better else DOWN)
    return (
        f'<td style="padding:10px 12px;border:1px solid {LINE};border-radius:6px;'
        f'vertical-align:top">'
        f'<div style="font-size:12px;color:{MUTED}">{escape(label)}</div>'
        f'<div style="font-size:20px;font-weight:700;margin-top:2px">'
        f"{escape(shown(metric, now))}</div>"
        f'<div style="font-size:12px;color:{colour}">{escape(delta)}</div></td>'
    )


def _list(title: str, rows: list[tuple[str, float]]) -> str:
    if not rows:
        body = f'<tr><td style="padding:6px 0;color:{MUTED}">None in this period</td></tr>'
    else:
        body = "".join(
            f'<tr><td style="padding:6px 0;border-bottom:1px solid {LINE};'
            f'word-break:break-all">{escape(name)}</td>'
            f'<td style="padding:6px 0;border-bottom:1px solid {LINE};text-align:right;'
            f'white-space:nowrap">{value:,.0f}</td></tr>'
            for name, value in rows
        )
    return (
        f'<tr><td style="padding:8px 28px 12px"><h2 style="margin:0 0 6px;font-size:15px">'
        f"{escape(title)}</h2>"
        f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        f'style="font-size:14px"><tr><th scope="col" style="text-align:left;font-size:12px;'
        f'color:{MUTED};font-weight:500;padding-bottom:4px">Name</th>'
        f'<th scope="col" style="text-align:right;font-size:12px;color:{MUTED};'
        f'font-weight:500;padding-bottom:4px">Visitors</th></tr>{body}</table></td></tr>'
    )


def _lists(figures: ReportFigures) -> list[tuple[str, list[tuple[str, float]]]]:
    found = [("Top sources", figures.sources), ("Top pages", figures.pages)]
    if figures.goals:
        found.append(("Goals", figures.goals))
    return found


def report_message(
    figures: ReportFigures, recipient: str, sender: str, unsubscribe: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = heading(figures)
    # RFC 2369 and RFC 8058: mail clients offer their own unsubscribe button, one click.
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(report_text(figures, unsubscribe))
    message.add_alternative(report_html(figures, unsubscribe), subtype="html")
    return message
