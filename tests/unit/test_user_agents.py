"""Browser, OS and device come from the User-Agent as Plausible shows them; bots are told apart."""

from __future__ import annotations

import crawleruseragents
import pytest

from eventlens.domain import user_agents
from eventlens.domain.user_agents import (
    CACHED_USER_AGENT_LENGTH,
    GENERIC_HTTP_CLIENT_PATTERNS,
    UNKNOWN_SOFTWARE,
    Software,
    device_type,
    is_bot,
    software,
)

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1"
)
SAFARI_IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.6 Mobile/15E148 Safari/604.1"
)
CHROME_ANDROID_PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/121.0.6167.101 Mobile Safari/537.36"
)
CHROME_ANDROID_TABLET = (
    "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.230 Safari/537.36"
)
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:122.0) Gecko/20100101 Firefox/122.0"
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91"
)
SAFARI_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.2.1 Safari/605.1.15"
)
FACEBOOK_IN_APP = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/444.0.0.28.109;FBDV/iPhone15,2;"
    "FBMD/iPhone;FBSN/iOS;FBSV/17.1.2]"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
GOOGLEBOT_SMARTPHONE = (
    "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.6099.129 Mobile Safari/537.36 "
    "(compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
)
BINGBOT = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"
HEADLESS_CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/120.0.6099.28 Safari/537.36"
)


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        (CHROME_WINDOWS, Software("Chrome", "120.0", "Windows", "10", "Desktop")),
        (SAFARI_IPHONE, Software("Safari", "17.4", "iOS", "17.4", "Mobile")),
        (SAFARI_IPAD, Software("Safari", "16.6", "iOS", "16.6", "Tablet")),
        (CHROME_ANDROID_PHONE, Software("Chrome", "121.0", "Android", "14", "Mobile")),
        (CHROME_ANDROID_TABLET, Software("Chrome", "120.0", "Android", "13", "Tablet")),
        (FIREFOX_LINUX, Software("Firefox", "122.0", "GNU/Linux", "", "Desktop")),
        (EDGE_WINDOWS, Software("Edge", "120.0", "Windows", "10", "Desktop")),
        (SAFARI_MAC, Software("Safari", "17.2", "Mac", "10.15", "Desktop")),
        (FACEBOOK_IN_APP, Software("Mobile App", "", "iOS", "17.1", "Mobile")),
    ],
    ids=[
        "chrome-windows",
        "safari-iphone",
        "safari-ipad",
        "chrome-android-phone",
        "chrome-android-tablet",
        "firefox-linux",
        "edge",
        "safari-mac",
        "facebook-in-app",
    ],
)
def test_real_browsers_are_named_as_plausible_shows_them(
    user_agent: str, expected: Software
) -> None:
    assert software(user_agent) == expected


@pytest.mark.parametrize("user_agent", [None, "", "   "])
def test_a_missing_user_agent_is_unknown_software(user_agent: str | None) -> None:
    assert software(user_agent) == UNKNOWN_SOFTWARE


def test_a_user_agent_nothing_is_known_about_has_no_device_either() -> None:
    assert software("zzz-unheard-of") == UNKNOWN_SOFTWARE


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        (SAFARI_IPAD, "Tablet"),
        ("Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 Silk/120.3.1", "Tablet"),
        ("Mozilla/5.0 (Android 14; Tablet; rv:123.0) Gecko/123.0 Firefox/123.0", "Tablet"),
        (CHROME_ANDROID_TABLET, "Tablet"),
        (SAFARI_IPHONE, "Mobile"),
        ("Mozilla/5.0 (iPod touch; CPU iPhone OS 15_0 like Mac OS X) Safari/604.1", "Mobile"),
        (CHROME_ANDROID_PHONE, "Mobile"),
        ("Mozilla/5.0 (Android 14; Mobile; rv:123.0) Gecko/123.0 Firefox/123.0", "Mobile"),
        ("Opera/9.80 (J2ME/MIDP; Opera Mini/9.80 (S60; SymbOS; Opera Mobi/23.348)", "Mobile"),
        (CHROME_WINDOWS, "Desktop"),
        (
            "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; Trident/6.0; Tablet PC 2.0)",
            "Desktop",
        ),
        (SAFARI_MAC, "Desktop"),
    ],
)
def test_the_device_type_comes_from_the_user_agents_tokens(user_agent: str, device: str) -> None:
    assert device_type(user_agent) == device


@pytest.mark.parametrize(
    "user_agent",
    [
        GOOGLEBOT,
        GOOGLEBOT_SMARTPHONE,
        BINGBOT,
        HEADLESS_CHROME,
        "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36 "
        "Chrome-Lighthouse",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
        "+https://openai.com/gptbot)",
        # Not in the crawler list: ua-parser's Spider rules catch it.
        "SomeNewBot/1.0 (+https://example.com/bot)",
    ],
)
def test_crawlers_and_automated_browsers_are_bots(user_agent: str) -> None:
    assert is_bot(user_agent)


@pytest.mark.parametrize("user_agent", [None, "", " \t "])
def test_a_request_without_a_user_agent_is_a_bot(user_agent: str | None) -> None:
    assert is_bot(user_agent)


@pytest.mark.parametrize(
    "user_agent",
    [CHROME_WINDOWS, SAFARI_IPHONE, SAFARI_IPAD, CHROME_ANDROID_PHONE, FIREFOX_LINUX, EDGE_WINDOWS],
)
def test_people_browsing_are_not_bots(user_agent: str) -> None:
    assert not is_bot(user_agent)


@pytest.mark.parametrize(
    "user_agent",
    [
        "curl/8.5.0",
        "HTTPie/3.2.2",
        "python-requests/2.32.3",
        "python-httpx/0.27.0",
        "Python/3.11 aiohttp/3.9.5",
        "Python-urllib/3.11",
        "Go-http-client/1.1",
        "Go-http-client/2.0",
        "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
        "axios/1.7.2",
        "got (https://github.com/sindresorhus/got)",
        "okhttp/4.12.0",
        "Apache-HttpClient/4.5.14 (Java/17.0.1)",
        "AHC/2.1",
        "Java/17.0.2",
        "Jetty/9.4.53",
        "PHP-Curl-Class/9.19.2 (+https://github.com/php-curl-class/php-curl-class)",
        "libwww-perl/6.72",
    ],
)
def test_generic_http_clients_of_server_side_integrations_are_not_bots(user_agent: str) -> None:
    assert not is_bot(user_agent)


def test_every_generic_client_exempted_is_a_pattern_of_the_crawler_list() -> None:
    """A pattern renamed upstream would otherwise stop exempting its client without a word."""
    listed = {entry["pattern"] for entry in crawleruseragents.CRAWLER_USER_AGENTS_DATA}

    assert listed >= GENERIC_HTTP_CLIENT_PATTERNS


def test_a_user_agent_with_characters_utf8_cannot_hold_is_still_read() -> None:
    user_agent = CHROME_WINDOWS + " \ud800"

    assert software(user_agent).browser == "Chrome"
    assert not is_bot(user_agent)


def test_a_user_agent_too_long_to_cache_is_read_but_not_kept() -> None:
    user_agent = GOOGLEBOT + " " + "x" * CACHED_USER_AGENT_LENGTH
    cached_before = user_agents._cached.cache_info().currsize

    assert is_bot(user_agent)
    assert software(user_agent).browser == "Googlebot"
    assert user_agents._cached.cache_info().currsize == cached_before
