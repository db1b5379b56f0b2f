"""A page's host, path and campaign tags are read from its URL as Plausible reads them."""

from __future__ import annotations

import pytest

from eventlens.domain.pages import CACHED_URL_LENGTH, NO_PAGE, Page, page


def test_the_hostname_is_lower_case_without_www_and_the_path_loses_query_and_fragment() -> None:
    landing = page("https://www.Example.COM:8443/Blog/Post/?utm_source=x#comments")

    assert landing.hostname == "example.com"
    assert landing.path == "/Blog/Post/"


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://example.com", "/"),
        ("https://example.com/", "/"),
        ("https://example.com/docs/", "/docs/"),
        ("https://example.com/docs", "/docs"),
        ("https://example.com/caf%C3%A9/men%20u", "/café/men u"),
        ("https://example.com/trailing-space%20", "/trailing-space"),
    ],
)
def test_the_path_is_decoded_and_keeps_a_trailing_slash_as_sent(url: str, path: str) -> None:
    assert page(url).path == path


def test_a_site_that_routes_by_hash_keeps_the_fragment_in_the_path() -> None:
    assert page("https://example.com/app#/settings/profile", hash_routing=True).path == (
        "/app#/settings/profile"
    )
    assert page("https://example.com/app#/settings/profile").path == "/app"


def test_the_five_utm_tags_are_read_from_the_query() -> None:
    landing = page(
        "https://example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=spring+sale"
        "&utm_content=header%20link&utm_term=running%20shoes"
    )

    assert landing == Page(
        hostname="example.com",
        path="/",
        utm_source="newsletter",
        utm_medium="email",
        utm_campaign="spring sale",
        utm_content="header link",
        utm_term="running shoes",
        click_id=None,
    )


@pytest.mark.parametrize(
    ("query", "source"),
    [
        ("?ref=producthunt", "producthunt"),
        ("?source=hn", "hn"),
        ("?ref=a&source=b", "b"),
        ("?ref=a&source=b&utm_source=c", "c"),
        ("?utm_source=&ref=fallback", "fallback"),
        ("?utm_source=%20%20", None),
    ],
)
def test_source_and_ref_stand_in_for_a_missing_or_blank_utm_source(
    query: str, source: str | None
) -> None:
    assert page(f"https://example.com/{query}").utm_source == source


@pytest.mark.parametrize(
    ("query", "click_id"),
    [
        ("?gclid=abc", "gclid"),
        ("?msclkid=abc", "msclkid"),
        ("?fbclid=abc&gclid=def", "gclid"),
        ("?wbraid=abc&msclkid=def", "wbraid"),
        ("?utm_source=google", None),
    ],
)
def test_the_first_ad_click_id_present_is_named(query: str, click_id: str | None) -> None:
    assert page(f"https://example.com/{query}").click_id == click_id


def test_a_url_without_a_host_keeps_an_absolute_path() -> None:
    assert page("/pricing?utm_medium=cpc") == NO_PAGE._replace(path="/pricing", utm_medium="cpc")


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "   ",
        "not a url",
        "http://[::1",
        "mailto:someone@example.com",
        "data:text/html,hi",
    ],
)
def test_garbage_gives_a_page_of_nones(url: str | None) -> None:
    assert page(url) == NO_PAGE


def test_a_url_too_long_to_cache_is_still_read() -> None:
    padding = "a" * CACHED_URL_LENGTH

    landing = page(f"https://example.com/{padding}?utm_source=long")

    assert landing.path == f"/{padding}"
    assert landing.utm_source == "long"
