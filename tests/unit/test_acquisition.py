"""A visit's source and channel follow Plausible's definitions.

The channel table below is Plausible's own (its acquisition tests), with one change where
Plausible changed its mind since: ChatGPT and Perplexity are AI Assistants, a channel
Plausible added after those tests were written.
"""

from __future__ import annotations

import pytest

from eventlens.domain import acquisition as acquisition_module
from eventlens.domain.acquisition import (
    CHANNELS,
    DIRECT_SOURCE,
    Acquisition,
    acquisition,
    channel,
)
from eventlens.domain.pages import CACHED_URL_LENGTH

SITE = "https://example.com/landing"

# (referrer source, utm_medium, utm_campaign, utm_source, click id) -> channel
PLAUSIBLE_CHANNEL_TABLE = [
    ((None, None, None, None, None), "Direct"),
    ((None, None, "cross-network", None, None), "Cross-network"),
    ((None, "paid", "shopping", None, None), "Paid Shopping"),
    (("shopify.com", "paid", None, None, None), "Paid Shopping"),
    (("shopify", "paid", None, "shopify", None), "Paid Shopping"),
    (("DuckDuckGo", "paid", None, None, None), "Paid Search"),
    (("Google", None, None, None, "gclid"), "Paid Search"),
    (("DuckDuckGo", None, None, None, "gclid"), "Organic Search"),
    (("Bing", None, None, None, "msclkid"), "Paid Search"),
    (("DuckDuckGo", None, None, None, "msclkid"), "Organic Search"),
    (("google", "paid", None, "google", None), "Paid Search"),
    (("TikTok", "paid", None, None, None), "Paid Social"),
    (("tiktok", "paid", None, "tiktok", None), "Paid Social"),
    (("Youtube", "paid", None, None, None), "Paid Video"),
    (("youtube", "paid", None, "youtube", None), "Paid Video"),
    ((None, "banner", None, None, None), "Display"),
    ((None, "cpc", None, None, None), "Paid Other"),
    (("walmart.com", None, None, None, None), "Organic Shopping"),
    (("walmart", None, None, "walmart", None), "Organic Shopping"),
    ((None, None, "shop", None, None), "Organic Shopping"),
    (("Facebook", None, None, None, None), "Organic Social"),
    (("twitter", None, None, "twitter", None), "Organic Social"),
    ((None, "social", None, None, None), "Organic Social"),
    (("Vimeo", None, None, None, None), "Organic Video"),
    (("vimeo", None, None, "vimeo", None), "Organic Video"),
    ((None, "video", None, None, None), "Organic Video"),
    (("DuckDuckGo", None, None, None, None), "Organic Search"),
    (("duckduckgo", None, None, "duckduckgo", None), "Organic Search"),
    ((None, "referral", None, None, None), "Referral"),
    (("email", None, None, "email", None), "Email"),
    ((None, "email", None, None, None), "Email"),
    ((None, "affiliate", None, None, None), "Affiliates"),
    ((None, "audio", None, None, None), "Audio"),
    (("sms", None, None, "sms", None), "SMS"),
    ((None, "sms", None, None, None), "SMS"),
    ((None, "app-push", None, None, None), "Mobile Push Notifications"),
    ((None, "example-mobile", None, None, None), "Mobile Push Notifications"),
    (("othersite.com", None, None, None, None), "Referral"),
    (("Threads", None, None, "threads", None), "Organic Social"),
    (("Instagram", None, None, "ig", None), "Organic Social"),
    (("Youtube", None, None, "yt", None), "Organic Video"),
    (("Youtube", None, None, "yt-ads", None), "Paid Video"),
    (("Facebook", None, None, "fb", None), "Organic Social"),
    (("Facebook", None, None, "fb-ads", None), "Paid Social"),
    (("Facebook", None, None, "fbad", None), "Paid Social"),
    (("Facebook", None, None, "facebook-ads", None), "Paid Social"),
    (("Reddit", None, None, "Reddit-ads", None), "Paid Social"),
    (("Google", None, None, "google_ads", None), "Paid Search"),
    (("Google", None, None, "Google-ads", None), "Paid Search"),
    (("Google", None, None, "Adwords", None), "Paid Search"),
    (("Twitter", None, None, "twitter-ads", None), "Paid Social"),
    (("Reddit", None, None, None, None), "Organic Social"),
    (("Perplexity", None, None, None, None), "AI Assistants"),
    (("Microsoft Teams", None, None, None, None), "Organic Social"),
    (("Wikipedia", None, None, None, None), "Referral"),
    (("Bing", None, None, None, None), "Organic Search"),
    (("Brave", None, None, None, None), "Organic Search"),
    (("Yandex", None, None, None, None), "Organic Search"),
    (("Discord", None, None, None, None), "Organic Social"),
    (("Baidu", None, None, None, None), "Organic Search"),
    (("Telegram", None, None, None, None), "Organic Social"),
    (("Sogou", None, None, None, None), "Organic Search"),
    (("Linktree", None, None, None, None), "Referral"),
    (("Linktree", None, None, "linktree", None), "Referral"),
    (("Hacker News", None, None, None, None), "Organic Social"),
    (("Yahoo!", None, None, None, None), "Organic Search"),
    (("Gmail", None, None, None, None), "Email"),
    (("Newsletter-UK", None, None, "Newsletter-UK", None), "Email"),
    (("temu.com", None, None, None, None), "Organic Shopping"),
    (("Telegram", None, None, "Telegram", None), "Organic Social"),
    (("chatgpt.com", None, None, None, None), "AI Assistants"),
    (("Slack", None, None, None, None), "Organic Social"),
    (("producthunt", None, None, None, None), "Organic Social"),
    (("GitHub", None, None, None, None), "Organic Social"),
    (("steamcommunity.com", None, None, None, None), "Organic Social"),
    (("Vkontakte", None, None, None, None), "Organic Social"),
    (("Threads", None, None, None, None), "Organic Social"),
    (("Ecosia", None, None, None, None), "Organic Search"),
    (("Google", "display", None, None, "123identifier"), "Display"),
]


@pytest.mark.parametrize(("tags", "expected"), PLAUSIBLE_CHANNEL_TABLE)
def test_plausibles_channel_table(
    tags: tuple[str | None, str | None, str | None, str | None, str | None], expected: str
) -> None:
    assert channel(*tags) == expected


def test_the_table_covers_every_channel() -> None:
    assert {expected for _, expected in PLAUSIBLE_CHANNEL_TABLE} == set(CHANNELS)


# One visit per channel, from what the browser sends: the referrer and the landing URL.
@pytest.mark.parametrize(
    ("referrer", "url", "expected"),
    [
        (None, SITE, Acquisition(DIRECT_SOURCE, "Direct")),
        (
            None,
            f"{SITE}?utm_campaign=q3-cross-network",
            Acquisition(DIRECT_SOURCE, "Cross-network"),
        ),
        (None, f"{SITE}?utm_source=amazon&utm_medium=cpc", Acquisition("Amazon", "Paid Shopping")),
        ("https://www.google.com/", f"{SITE}?gclid=EAIaIQ", Acquisition("Google", "Paid Search")),
        (
            "https://www.bing.com/search?q=x",
            f"{SITE}?msclkid=1",
            Acquisition("Bing", "Paid Search"),
        ),
        (None, f"{SITE}?utm_source=fb-ads", Acquisition("Facebook", "Paid Social")),
        (None, f"{SITE}?utm_source=youtube&utm_medium=paid", Acquisition("Youtube", "Paid Video")),
        (None, f"{SITE}?utm_source=partner&utm_medium=banner", Acquisition("partner", "Display")),
        (None, f"{SITE}?utm_source=partner&utm_medium=ppc", Acquisition("partner", "Paid Other")),
        ("https://www.amazon.com/dp/B0", SITE, Acquisition("Amazon", "Organic Shopping")),
        ("https://l.facebook.com/l.php?u=x", SITE, Acquisition("Facebook", "Organic Social")),
        ("https://www.youtube.com/watch?v=x", SITE, Acquisition("Youtube", "Organic Video")),
        ("https://chatgpt.com/", SITE, Acquisition("ChatGPT", "AI Assistants")),
        ("https://www.google.co.uk/", SITE, Acquisition("Google", "Organic Search")),
        ("https://mail.google.com/mail/u/0/", SITE, Acquisition("Gmail", "Email")),
        (None, f"{SITE}?utm_source=weekly&utm_medium=e-mail", Acquisition("weekly", "Email")),
        (None, f"{SITE}?utm_source=blog&utm_medium=affiliate", Acquisition("blog", "Affiliates")),
        (None, f"{SITE}?utm_source=podcast&utm_medium=audio", Acquisition("podcast", "Audio")),
        (None, f"{SITE}?utm_source=sms", Acquisition("sms", "SMS")),
        (
            None,
            f"{SITE}?utm_source=app&utm_medium=push",
            Acquisition("app", "Mobile Push Notifications"),
        ),
        ("https://www.markosaric.com/post", SITE, Acquisition("markosaric.com", "Referral")),
    ],
)
def test_each_channel_from_a_referrer_and_a_landing_url(
    referrer: str | None, url: str, expected: Acquisition
) -> None:
    assert acquisition(referrer, url) == expected


# Plausible's source resolution cases.
@pytest.mark.parametrize(
    ("referrer", "source"),
    [
        ("https://google.com", "Google"),
        ("https://www.google.de/search?q=x", "Google"),
        ("https://duckduckgo.com/", "DuckDuckGo"),
        ("https://news.ycombinator.com/item?id=1", "Hacker News"),
        ("https://old.reddit.com/r/python", "Reddit"),
        ("https://amp.reddit.com/r/python", "Reddit"),
        ("https://en.m.wikipedia.org", "Wikipedia"),
        ("https://zu.wikipedia.org", "Wikipedia"),
        ("https://www.wikipedia.org", "Wikipedia"),
        ("https://notwikipedia.org", "notwikipedia.org"),
        ("https://www.markosaric.com", "markosaric.com"),
        ("https://bsky.app", "Bluesky"),
        ("https://go.bsky.app", "Bluesky"),
        ("https://mastodon.social", "Mastodon"),
        ("https://fosstodon.org", "Mastodon"),
        ("https://gemini.google.com", "Google Gemini"),
        ("https://chatgpt.com", "ChatGPT"),
        ("https://chat.openai.com", "ChatGPT"),
        ("https://claude.ai", "Claude"),
        ("https://phind.com", "Phind"),
        ("https://copilot.microsoft.com", "Microsoft Copilot"),
        ("https://copilot.com", "Microsoft Copilot"),
        ("https://x.com", "X (Twitter)"),
        ("https://t.co", "X (Twitter)"),
        ("https://kagi.com", "Kagi"),
        ("https://l.threads.com", "Threads"),
        ("https://pplx.ai", "Perplexity"),
        ("https://cac-excel.officeapps.live.com", "Microsoft 365"),
        ("https://notofficeapps.live.com", "notofficeapps.live.com"),
        ("https://www.google.com/imgres?imgurl=x", "Google Images"),
        ("android-app://com.google.android.gm/", "Gmail"),
        ("android-app://com.example.reader", "android-app://com.example.reader"),
    ],
)
def test_a_referrer_is_named_by_the_referrer_database(referrer: str, source: str) -> None:
    assert acquisition(referrer, SITE).source == source


@pytest.mark.parametrize(
    ("tag", "source"),
    [
        ("google", "Google"),
        ("GOOGLE", "Google"),
        ("wikipedia", "Wikipedia"),
        ("ig", "Instagram"),
        ("fb", "Facebook"),
        ("adwords", "Google"),
        ("google_ads", "Google"),
        ("Newsletter-UK", "Newsletter-UK"),
    ],
)
def test_a_utm_source_naming_a_known_source_is_written_as_that_source(
    tag: str, source: str
) -> None:
    assert acquisition(None, f"{SITE}?utm_source={tag}").source == source


def test_a_utm_source_wins_over_the_referrer() -> None:
    assert acquisition("https://www.google.com/", f"{SITE}?utm_source=newsletter") == Acquisition(
        "newsletter", "Email"
    )


def test_ref_stands_in_for_utm_source() -> None:
    assert acquisition(None, f"{SITE}?ref=producthunt") == Acquisition(
        "producthunt", "Organic Social"
    )


@pytest.mark.parametrize(
    "referrer",
    [
        "https://example.com/pricing",
        "https://www.example.com/pricing",
        "http://localhost:3000/",
        "file:///home/someone/page.html",
        "chrome://newtab",
        "not a url",
        "https://[::1",
        "",
    ],
)
def test_self_referrals_local_pages_and_garbage_are_direct(referrer: str) -> None:
    assert acquisition(referrer, SITE) == Acquisition(DIRECT_SOURCE, "Direct")


def test_a_subdomain_of_the_site_is_a_referral() -> None:
    assert acquisition("https://blog.example.com/post", SITE) == Acquisition(
        "blog.example.com", "Referral"
    )


def test_click_ids_other_than_gclid_and_msclkid_make_nothing_paid() -> None:
    assert acquisition("https://www.google.com/", f"{SITE}?gbraid=1").channel == "Organic Search"
    assert acquisition("https://l.facebook.com/", f"{SITE}?fbclid=1").channel == "Organic Social"
    assert acquisition("https://duckduckgo.com/", f"{SITE}?gclid=1").channel == "Organic Search"


def test_a_url_too_long_to_cache_is_still_read_but_not_kept() -> None:
    url = f"{SITE}?utm_source=fb&pad={'x' * CACHED_URL_LENGTH}"
    cached_before = acquisition_module._cached.cache_info().currsize

    assert acquisition(None, url) == Acquisition("Facebook", "Organic Social")
    assert acquisition_module._cached.cache_info().currsize == cached_before
