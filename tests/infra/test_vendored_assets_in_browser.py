"""The vendored files work in Chromium as served: scripts define their globals, fonts load."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

VENDOR = Path(__file__).resolve().parents[2] / "app" / "static" / "vendor"

PAGE = """<!doctype html>
<html lang="en" class="govuk-template"><head><meta charset="utf-8"><title>Vendored</title>
<link rel="stylesheet" href="/static/vendor/govuk-frontend/govuk-frontend.min.css">
<script src="/static/vendor/htmx/htmx.min.js"></script>
<script src="/static/vendor/twilio-voice-sdk/twilio.min.js"></script>
<script src="/static/vendor/chart.js/chart.umd.min.js"></script>
<script src="/static/vendor/wavesurfer/wavesurfer.min.js"></script>
<script src="/static/vendor/wavesurfer/plugins/regions.min.js"></script>
</head>
<body class="govuk-template__body"><main class="govuk-main-wrapper">
<h1 class="govuk-heading-l">Ffoniwch ni — call us</h1>
<button class="govuk-button" data-module="govuk-button">Continue</button>
</main>
<script type="module">
  import { initAll, version } from "/static/vendor/govuk-frontend/govuk-frontend.min.js";
  import WaveSurfer from "/static/vendor/wavesurfer/wavesurfer.esm.js";
  import RegionsPlugin from "/static/vendor/wavesurfer/plugins/regions.esm.js";
  document.body.classList.add("govuk-frontend-supported");
  initAll();
  window.esm = {govuk: version, wavesurfer: typeof WaveSurfer.create,
                regions: typeof RegionsPlugin.create};
</script>
</body></html>"""


class _Handler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/":
            body = PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if not self.path.startswith("/static/vendor/"):
            self.send_error(404)
            return
        self.path = self.path.removeprefix("/static/vendor")
        super().do_GET()


@pytest.fixture
def vendor_site() -> Iterator[str]:
    """app/static/vendor served at /static/vendor/ (as Flask serves it), the page at /."""
    handler = functools.partial(_Handler, directory=str(VENDOR))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def test_vendored_files_load_and_work(vendor_site: str, page) -> None:  # noqa: ANN001
    failures: list[str] = []
    page.on("requestfailed", lambda r: failures.append(f"{r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and failures.append(f"{r.url} {r.status}"))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(vendor_site + "/")
    page.wait_for_function("() => window.esm !== undefined")
    page.evaluate("() => document.fonts.ready")

    assert page.evaluate("() => window.esm") == {
        "govuk": "6.6.0",
        "wavesurfer": "function",
        "regions": "function",
    }
    assert page.evaluate("() => htmx.version").startswith("2.")
    assert page.evaluate("() => typeof Twilio.Device") == "function"
    assert page.evaluate("() => Chart.version") == "4.6.1"
    assert page.evaluate("() => typeof WaveSurfer.create + typeof WaveSurfer.Regions.create") == (
        "functionfunction"
    )
    # the GOV.UK stylesheet's fonts resolve beside it (url(assets/fonts/…)) and load
    assert page.evaluate("() => document.fonts.check('19px \"GDS Transport\"')")
    loaded = page.evaluate(
        "() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
    )
    assert any("GDS Transport" in family for family in loaded)
    font = page.evaluate("() => getComputedStyle(document.querySelector('h1')).fontFamily")
    assert font.startswith('"GDS Transport"')
    assert failures == [] and errors == []
