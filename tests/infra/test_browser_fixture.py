"""Playwright drives Debian's Chromium, and axe-core finds (or does not find) violations."""

from __future__ import annotations

import subprocess
from urllib.parse import quote

import pytest

from tests.fixtures.browser import CHROMIUM, PHONE_VIEWPORT, assert_accessible, axe_violations

CLEAN = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Request a call back</title></head>
<body><main><h1>Request a call back</h1>
<form><label for="phone">Phone number</label><input id="phone" name="phone" type="tel">
<button type="submit">Continue</button></form></main></body></html>"""

MISSING_LABEL = CLEAN.replace('<label for="phone">Phone number</label>', "")


def data_url(html: str) -> str:
    return "data:text/html;charset=utf-8," + quote(html)


def test_the_browser_is_debians_chromium_with_a_fake_microphone(browser, page) -> None:  # noqa: ANN001
    debian = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=True)
    assert browser.version in debian.stdout  # e.g. "Chromium 156.0.8078.114 built on Debian…"
    # getUserMedia needs a secure context (not a data: URL): serve the page on an https origin
    page.route(
        "https://contact.test/", lambda route: route.fulfill(body=CLEAN, content_type="text/html")
    )
    page.goto("https://contact.test/")
    assert page.title() == "Request a call back"
    # --use-fake-ui-for-media-stream: no prompt; --use-fake-device-for-media-stream: a tone
    tracks = page.evaluate(
        """async () => {
            const stream = await navigator.mediaDevices.getUserMedia({audio: true});
            const kinds = stream.getTracks().map(t => t.kind);
            stream.getTracks().forEach(t => t.stop());
            return kinds;
        }"""
    )
    assert tracks == ["audio"]


def test_launch_args_point_at_system_chromium(browser_type_launch_args) -> None:  # noqa: ANN001
    assert browser_type_launch_args["executable_path"] == CHROMIUM
    assert "--use-fake-device-for-media-stream" in browser_type_launch_args["args"]
    assert "--use-fake-ui-for-media-stream" in browser_type_launch_args["args"]


def test_a_clean_page_has_no_violations(page) -> None:  # noqa: ANN001
    page.goto(data_url(CLEAN))
    assert_accessible(page)
    assert axe_violations(page, impacts=("minor", "moderate", "serious", "critical")) == []


def test_a_missing_label_is_reported(page) -> None:  # noqa: ANN001
    page.goto(data_url(MISSING_LABEL))
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    message = str(failure.value)
    assert "label (critical)" in message
    assert "#phone" in message
    assert [v["id"] for v in axe_violations(page)] == ["label"]


def test_phone_page_is_phone_sized(phone_page, phone_viewport) -> None:  # noqa: ANN001
    phone_page.goto(
        data_url(
            CLEAN.replace(
                "<head>",
                '<head><meta name="viewport" content="width=device-width, initial-scale=1">',
            )
        )
    )
    size = phone_page.evaluate("() => [window.innerWidth, window.innerHeight]")
    assert size == [PHONE_VIEWPORT["width"], PHONE_VIEWPORT["height"]] == [390, 844]
    assert phone_viewport == PHONE_VIEWPORT
    assert phone_page.evaluate("() => matchMedia('(pointer: coarse)').matches")
    assert_accessible(phone_page)
