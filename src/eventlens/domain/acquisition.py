"""Where a visit came from: its source and its acquisition channel, as Plausible defines them.

The source is the URL's `utm_source` (or `source`, or `ref`), written as the known source it
names (`google` is Google, `fb-ads` is Facebook); otherwise the referrer's host as a known
source (`www.google.co.uk` is Google); otherwise the referrer's host itself, without `www.`.
A referrer from the page's own host or from localhost is no referral. With neither a tag nor
a referral, the source is "Direct / None".

The channel follows Plausible's rules, in Plausible's order, on the source's category
(`referrers.source_category`) and the URL's `utm_medium`, `utm_campaign` and `utm_source`:
the first rule that holds names it, and "Direct" is left when none does. Ad click ids count as
Plausible counts them: `gclid` makes a visit from Google paid, `msclkid` one from Bing; the
other click ids are recorded (`pages.Page.click_id`) but make nothing paid.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urlsplit

from eventlens.domain import referrers
from eventlens.domain.pages import CACHED_URL_LENGTH, Page, page, sanitized_hostname

DIRECT_SOURCE = "Direct / None"
REFERRAL_SCHEMES = frozenset({"http", "https", "android-app"})

# Plausible's channels, in the order its rules are tried.
CHANNELS = (
    "Cross-network",
    "Paid Shopping",
    "Paid Search",
    "Paid Social",
    "Paid Video",
    "Display",
    "Paid Other",
    "Organic Shopping",
    "Organic Social",
    "Organic Video",
    "AI Assistants",
    "Organic Search",
    "Email",
    "Affiliates",
    "Audio",
    "SMS",
    "Mobile Push Notifications",
    "Referral",
    "Direct",
)

DISPLAY_MEDIA = frozenset({"display", "banner", "expandable", "interstitial", "cpm"})
SOCIAL_MEDIA = frozenset(
    {"social", "social-network", "social-media", "sm", "social network", "social media"}
)
REFERRAL_MEDIA = frozenset({"referral", "app", "link"})
EMAIL_TAGS = ("email", "e-mail", "e_mail", "e mail", "newsletter")
PAID_TAG_SUFFIXES = ("ads", "ad")
# GA4's shopping campaigns: "shopping", or "shop" opening a word or after an "e" ("eshop").
SHOPPING_CAMPAIGN = re.compile(r"(?:^|[^a-df-z])shop|shopping")


class Acquisition(NamedTuple):
    source: str
    channel: str


def acquisition(referrer: str | None, url: str | None) -> Acquisition:
    """The source and channel of a visit that landed on `url` coming from `referrer`."""
    if len(referrer or "") > CACHED_URL_LENGTH or len(url or "") > CACHED_URL_LENGTH:
        return _acquire(referrer, url)
    return _cached(referrer, url)


def channel(
    source: str | None,
    utm_medium: str | None = None,
    utm_campaign: str | None = None,
    utm_source: str | None = None,
    click_id: str | None = None,
) -> str:
    """The channel of a visit from `source` (a resolved source name or host) with these tags."""
    visit = _Visit(
        source=(source or "").lower(),
        category=referrers.source_category(source) if source else None,
        medium=(utm_medium or "").lower(),
        campaign=(utm_campaign or "").lower(),
        tag=(utm_source or "").lower(),
        click_id=click_id,
    )
    return next((name for name, holds in _RULES if holds(visit)), "Direct")


def tagged_source(utm_source: str) -> str:
    """The source a `utm_source` tag names: a known source's name, else the tag as it is."""
    return known_source_of_tag(utm_source) or utm_source


def known_source_of_tag(utm_source: str) -> str | None:
    """The known source `utm_source` names, directly or as its ads tag (`fb-ads`, `fbad`)."""
    if known := referrers.known_source(utm_source):
        return known
    untagged = _without_paid_suffix(utm_source.strip().lower())
    return referrers.known_source(untagged) if untagged else None


def referrer_source(referrer: str | None, page_hostname: str | None) -> str | None:
    """The source `referrer` names, or None when it is missing, unreadable or no referral."""
    if not referrer or not referrer.strip():
        return None
    try:
        parts = urlsplit(referrer.strip())
        host = sanitized_hostname(parts.hostname)
    except ValueError:
        return None
    if parts.scheme not in REFERRAL_SCHEMES or host is None:
        return None
    if host in (page_hostname, "localhost"):
        return None
    if known := referrers.host_source(host, parts.path):
        return known
    return f"android-app://{host}" if parts.scheme == "android-app" else host


@lru_cache(maxsize=8192)
def _cached(referrer: str | None, url: str | None) -> Acquisition:
    return _acquire(referrer, url)


def _acquire(referrer: str | None, url: str | None) -> Acquisition:
    landing = page(url)
    source = _source(referrer, landing)
    return Acquisition(
        source=source or DIRECT_SOURCE,
        channel=channel(
            source,
            landing.utm_medium,
            landing.utm_campaign,
            landing.utm_source,
            landing.click_id,
        ),
    )


def _source(referrer: str | None, landing: Page) -> str | None:
    if landing.utm_source:
        return tagged_source(landing.utm_source)
    return referrer_source(referrer, landing.hostname)


def _without_paid_suffix(tag: str) -> str | None:
    for suffix in PAID_TAG_SUFFIXES:
        if tag.endswith(suffix) and len(tag) > len(suffix):
            return tag.removesuffix(suffix).rstrip("-_ ") or None
    return None


@dataclass(frozen=True, slots=True)
class _Visit:
    """A visit's source and tags, lower-cased, as the channel rules read them."""

    source: str
    category: str | None
    medium: str
    campaign: str
    tag: str
    click_id: str | None

    @property
    def paid_medium(self) -> bool:
        medium = self.medium
        return "cp" in medium or medium in ("ppc", "retargeting") or medium.startswith("paid")

    @property
    def paid_tag(self) -> bool:
        """An ads `utm_source` of a known source (`fb-ads`, `google_ads`), or `adwords`."""
        if self.tag == "adwords":
            return True
        untagged = _without_paid_suffix(self.tag)
        return untagged is not None and referrers.known_source(untagged) is not None

    @property
    def paid(self) -> bool:
        return self.paid_medium or self.paid_tag

    @property
    def shopping(self) -> bool:
        return self.category == referrers.SHOPPING or _shopping_campaign(self.campaign)

    def of(self, category: str) -> bool:
        return self.category == category


def _shopping_campaign(campaign: str) -> bool:
    return SHOPPING_CAMPAIGN.search(campaign) is not None


def _paid_search(visit: _Visit) -> bool:
    return (
        (visit.of(referrers.SEARCH) and visit.paid)
        or (visit.source == "google" and visit.click_id == "gclid")
        or (visit.source == "bing" and visit.click_id == "msclkid")
    )


def _email(visit: _Visit) -> bool:
    return visit.of(referrers.EMAIL) or any(
        tag in visit.tag or tag in visit.medium for tag in EMAIL_TAGS
    )


def _push_notification(visit: _Visit) -> bool:
    medium = visit.medium
    return (
        medium.endswith("push")
        or "mobile" in medium
        or "notification" in medium
        or visit.source == "firebase"
    )


_RULES: tuple[tuple[str, Callable[[_Visit], bool]], ...] = (
    ("Cross-network", lambda visit: "cross-network" in visit.campaign),
    ("Paid Shopping", lambda visit: visit.shopping and visit.paid_medium),
    ("Paid Search", _paid_search),
    ("Paid Social", lambda visit: visit.of(referrers.SOCIAL) and visit.paid),
    ("Paid Video", lambda visit: visit.of(referrers.VIDEO) and visit.paid),
    ("Display", lambda visit: visit.medium in DISPLAY_MEDIA),
    ("Paid Other", lambda visit: visit.paid_medium),
    ("Organic Shopping", lambda visit: visit.shopping),
    ("Organic Social", lambda visit: visit.of(referrers.SOCIAL) or visit.medium in SOCIAL_MEDIA),
    ("Organic Video", lambda visit: visit.of(referrers.VIDEO) or "video" in visit.medium),
    ("AI Assistants", lambda visit: visit.of(referrers.AI_ASSISTANTS)),
    ("Organic Search", lambda visit: visit.of(referrers.SEARCH)),
    ("Email", _email),
    ("Affiliates", lambda visit: visit.medium == "affiliate"),
    ("Audio", lambda visit: visit.medium == "audio"),
    ("SMS", lambda visit: visit.tag == "sms" or visit.medium == "sms"),
    ("Mobile Push Notifications", _push_notification),
    ("Referral", lambda visit: visit.medium in REFERRAL_MEDIA or visit.source != ""),
)
