"""Sending: e-mail through the configured SMTP server, webhooks by HTTP POST.

Webhooks are a server-side request to an address a user typed, the textbook SSRF. Only
http(s) URLs are recorded; here, before each request, the host is resolved and refused if any
of its addresses is private, loopback, link-local, multicast or reserved, unless the host is
on `EVENTLENS_WEBHOOK_ALLOWED_HOSTS`. Redirects are not followed (a public host could send
the request on to an internal one).
"""

from __future__ import annotations

import ipaddress
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import orjson

from eventlens.config import Settings

WEBHOOK_TIMEOUT_S = 10.0
SMTP_TIMEOUT_S = 30.0


class DeliveryFailed(Exception):
    """A message could not be handed on; the reason is the message."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # starttls, tls or none
    user: str | None
    password: str | None
    sender: str

    @classmethod
    def of(cls, settings: Settings) -> SmtpSettings | None:
        if settings.smtp_host is None:
            return None
        sender = settings.smtp_from or f"eventlens@{settings.smtp_host}"
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_security,
            settings.smtp_user,
            settings.smtp_password,
            sender,
        )


class Mailer:
    def __init__(self, smtp: SmtpSettings | None) -> None:
        self.smtp = smtp

    @property
    def sender(self) -> str:
        return self.smtp.sender if self.smtp else "eventlens@localhost"

    def send(self, message: EmailMessage) -> None:
        smtp = self.smtp
        if smtp is None:
            raise DeliveryFailed("no SMTP server is configured (EVENTLENS_SMTP_HOST)")
        if "From" not in message:
            message["From"] = smtp.sender
        try:
            client: smtplib.SMTP
            if smtp.security == "tls":
                context = ssl.create_default_context()
                client = smtplib.SMTP_SSL(
                    smtp.host, smtp.port, timeout=SMTP_TIMEOUT_S, context=context
                )
            else:
                client = smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_S)
            with client:
                if smtp.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if smtp.user:
                    client.login(smtp.user, smtp.password or "")
                client.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryFailed(f"SMTP {smtp.host}:{smtp.port}: {error}") from error


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class WebhookSender:
    def __init__(self, allowed_hosts: str | None) -> None:
        names = [h.strip().lower() for h in (allowed_hosts or "").split(",")]
        self.allowed = frozenset(h for h in names if h)
        self._opener = urllib.request.build_opener(_NoRedirects)

    def check_host(self, url: str) -> None:
        """Refuse a URL whose host resolves to an address inside the network."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            raise DeliveryFailed(f"{url!r} is not an http(s) URL")
        if "*" in self.allowed or host in self.allowed:
            return
        try:
            infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
        except OSError as error:
            raise DeliveryFailed(f"webhook host {host!r} does not resolve: {error}") from error
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            if not address.is_global or address.is_multicast:
                raise DeliveryFailed(
                    f"webhook host {host!r} resolves to {address}, inside the network: list "
                    f"it in EVENTLENS_WEBHOOK_ALLOWED_HOSTS to allow it"
                )

    def post(self, url: str, body: dict[str, Any]) -> None:
        self.check_host(url)
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url,
            data=orjson.dumps(body),
            headers={"Content-Type": "application/json", "User-Agent": "EventLens alerts"},
            method="POST",
        )
        try:
            with self._opener.open(request, timeout=WEBHOOK_TIMEOUT_S) as answer:
                status = answer.status
        except urllib.error.HTTPError as error:
            raise DeliveryFailed(f"webhook answered {error.code}") from error
        except (OSError, ValueError) as error:
            raise DeliveryFailed(f"webhook not reached: {error}") from error
        if not 200 <= status < 300:
            raise DeliveryFailed(f"webhook answered {status}")
