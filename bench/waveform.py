"""Issue 16: the recording review page's waveform, time to first paint for a 30-minute recording.

    .venv/bin/python bench/waveform.py

Environment: BENCH_ROUNDS (timed rounds per side, default 5, after one untimed warm-up round
each), BENCH_MINUTES (length of the recording, default 30).

What is real:
- the recording: a two-channel 16-bit PCM WAV at 8 kHz, as Twilio's dual-channel recordings
  are (caller left, advisor right; turns of speech-like noise over a quiet line), stored
  encrypted the way ingest stores it (Tink streaming AEAD, wrapped data key);
- the app: the embedded defaults (SQLite database, local encrypted file store, development
  master keyset in the instance folder, in a temporary folder) under gunicorn as the Procfile
  runs it (its default workers and threads), an access request matching the recording, and a records
  officer signed in (a console session started the way sign-in ends, second factor passed);
- the browser: Debian's Chromium (/usr/bin/chromium, headless, through Playwright), a fresh
  context (empty cache) each round, 1280×900.

A round opens the review page, types the reason and submits it, as the officer does; the page
then loads its waveform script (app/console/static/waveform.js), which fetches the outline the
server reads from the decrypted audio (each channel's peaks, and the duration) and has
wavesurfer.js draw the two channels from it; the audio itself waits until the officer plays it.
(Before issue 16, wavesurfer fetched the whole decrypted WAV and decoded it before drawing.)

"First paint" here: the first animation frame, after the reason is submitted, at which a canvas
in wavesurfer's shadow DOM holds a non-transparent pixel (checked with getImageData on every
frame; wavesurfer draws both channels in one go, so this is the waveform appearing). Timed from
the `submit` event on the reason's form (Date.now() kept in sessionStorage across the
navigation) to that frame, by the browser's clock. Also reported: when the page's HTML and the
data the waveform is drawn from had fully arrived (Resource Timing of the last fetch: the
outline of peaks the review page asks the server for, or the whole audio when wavesurfer
fetches it, as in the baseline) and when wavesurfer said `ready`.

Baseline, in the same run and browser: the same waveform.js and vendored wavesurfer.js, drawing
the same plain WAV served by a bare static file server (`python -m http.server`): a page with a
form, submitted the same way, leading to a page with the waveform's container at the width it
has in the app, and no outline: wavesurfer fetches the whole WAV and decodes it before drawing.
No decryption, no app, no database. The ratio printed is app/bare of medians.
"""

from __future__ import annotations

import io
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import wave
from array import array
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

from app import create_app  # noqa: E402
from app.db import upgrade  # noqa: E402
from app.domain import access_requests as sar  # noqa: E402
from app.domain.sessions import SessionLimits, start_session  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Relationship, Role, Staff  # noqa: E402
from bench.common import ROOT, bench_run, console_cookie, gunicorn, serving  # noqa: E402
from bench.webhooks import APP_WORKERS  # noqa: E402
from config.settings import load_settings  # noqa: E402
from tests.access.support import store_recording  # noqa: E402
from tests.fixtures.browser import CHROMIUM  # noqa: E402
from tests.fixtures.servers import free_port  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
MINUTES = float(os.environ.get("BENCH_MINUTES", "30"))
RATE = 8000  # Twilio's dual-channel WAV: 8 kHz, 16-bit linear PCM, 2 channels
SECRET = "bench-waveform-session-secret"  # noqa: S105
LIMITS = SessionLimits(idle=timedelta(hours=2), absolute=timedelta(hours=12))
NUMBER = "+447700900123"
REASON = "Subject access request SAR-000001: review before redaction"
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_S = 180

# Runs in every document of the context, before the page's scripts.
FIRST_PAINT = """
(() => {
  addEventListener("submit", () => {
    sessionStorage.setItem("bench:submitted", String(Date.now()));
  }, true);
  const marks = (window.__bench = {submitted: Number(sessionStorage.getItem("bench:submitted"))});
  const origin = performance.timeOrigin;
  function painted(canvas) {
    if (!canvas.width || !canvas.height) return false;
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) return true;
    return false;
  }
  function canvases() {
    const found = [];
    for (const el of document.querySelectorAll("#waveform, #waveform *")) {
      if (el.shadowRoot) found.push(...el.shadowRoot.querySelectorAll("canvas"));
    }
    return found;
  }
  function watch() {
    if (canvases().some(painted)) {
      marks.paint = Date.now();
      for (const entry of performance.getEntriesByType("resource")) {
        if (entry.initiatorType === "fetch") marks.data = origin + entry.responseEnd;
      }
      const [page] = performance.getEntriesByType("navigation");
      if (page) marks.page = origin + page.responseEnd;
      return;
    }
    requestAnimationFrame(watch);
  }
  if (marks.submitted) requestAnimationFrame(watch);
  new MutationObserver(() => {
    const box = document.getElementById("waveform");
    if (box && box.dataset.ready === "true" && !marks.ready) marks.ready = Date.now();
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-ready"]});
})();
"""


@dataclass(frozen=True)
class Round:
    """Milliseconds from submitting the reason."""

    paint: float
    page: float
    data: float
    ready: float


def recording_wav(minutes: float) -> bytes:
    """Two channels, 8 kHz 16-bit: turns of syllable-like noise bursts, a quiet line between.

    One minute is generated (pure Python) and repeated: the content does not change the work
    of fetching, decrypting, decoding and drawing, only the picture.
    """
    rng = random.Random(16)
    minute = RATE * 60
    frames = array("h", bytes(4 * minute))
    t, speaker = 0, 0
    while t < minute:
        turn = int(RATE * rng.uniform(2, 9))
        for n in range(t, min(t + turn, minute)):
            syllable = 0.5 + 0.5 * math.sin(2 * math.pi * 4 * n / RATE)
            loud = int(9000 * syllable * rng.random()) * rng.choice((-1, 1))
            frames[2 * n + speaker] = loud
            frames[2 * n + 1 - speaker] = rng.randint(-150, 150)
        t, speaker = t + turn, 1 - speaker
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes((frames.tobytes() * math.ceil(minutes))[: int(minute * minutes) * 4])
    return out.getvalue()


def set_up_app(env: dict[str, str], wav: bytes) -> tuple[str, str]:
    """The stored recording, a request matching it and a records officer's session;
    returns (review path, the value of the console's session cookie)."""
    now = datetime.now(UTC)
    app = create_app({"SETTINGS": load_settings(env)})
    with app.app_context():
        from tests.support.runtime import job_runtime  # noqa: PLC0415  (needs the app)

        with job_runtime(app) as runtime:
            started = now - timedelta(days=1)  # recent: no privacy alert on access
            seconds = int(MINUTES * 60)
            _, recording_sid = store_recording(
                runtime, number=NUMBER, started_at=started, seconds=seconds, wav=wav
            )
        with db.transaction() as session:
            new = sar.NewAccessRequest("Pat Example", Relationship.DATA_SUBJECT, [NUMBER],
                                       now.date())  # fmt: skip
            request_id = sar.register(session, new, actor="bench", now=now).id
            staff = Staff(email="dpo@example.gov.uk", name="Dee", role=Role.RECORDS_OFFICER,
                          skills=[])  # fmt: skip
            session.add(staff)
            session.flush()
            token = start_session(session, staff, now, LIMITS, second_factor=True)
    cookie = console_cookie(token, SECRET).split("=", 1)[1]
    return f"/console/requests/{request_id}/recordings/{recording_sid}", cookie


BARE_FORM = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bare</title>
</head><body><form method="get" action="/wave.html"><label for="reason">Reason</label>
<input id="reason" name="reason" type="text"><button>Open the recording</button></form>
</body></html>"""

BARE_WAVE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bare</title>
<style>#waveform {{ width: {width}px; border: 1px solid #b1b4b6; min-height: 160px; }}</style>
</head><body>
<div id="waveform" data-audio-url="/recording.wav"></div>
<p id="waveform-status">Loading the audio…</p>
<input id="start"><input id="end">
<script type="module" src="/waveform.js"></script>
</body></html>"""


def bare_site(folder: Path, wav: bytes, width: int) -> None:
    """The static files: the same waveform.js and vendored wavesurfer.js at the same paths."""
    vendor = ROOT / "app" / "static" / "vendor" / "wavesurfer"
    shutil.copytree(vendor, folder / "static" / "vendor" / "wavesurfer")
    shutil.copy(ROOT / "app" / "console" / "static" / "waveform.js", folder / "waveform.js")
    (folder / "recording.wav").write_bytes(wav)
    (folder / "index.html").write_text(BARE_FORM)
    (folder / "wave.html").write_text(BARE_WAVE.format(width=width))


def static_server(folder: Path) -> AbstractContextManager[int]:
    """`python -m http.server` serving `folder` on a free port; yields the port."""
    port = free_port()
    command = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)]
    return serving([*command, "--directory", str(folder)], port, quiet=True)


def wait_for_marks(page: Page) -> dict[str, float]:
    """The page's marks once painted and ready (polled from here: the review page's Content
    Security Policy forbids the eval that Playwright's wait_for_function needs)."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        marks = page.evaluate("window.__bench")
        if marks and marks.get("paint") and marks.get("ready"):
            return marks
        page.wait_for_timeout(50)
    raise TimeoutError(f"no waveform within {TIMEOUT_S} s on {page.url}")


def one_round(browser: Browser, base: str, path: str, cookie: str | None) -> tuple[Round, int]:
    """Open the page, give the reason, wait for the first paint; the marks and the waveform's
    width in CSS pixels."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        if cookie:
            context.add_cookies([{"name": "contact_console", "value": cookie, "url": base}])
        context.add_init_script(FIRST_PAINT)
        page = context.new_page()
        page.goto(base + path)
        page.fill("#reason", REASON)
        page.click("button:has-text('Open the recording')")
        marks = wait_for_marks(page)
        width = page.evaluate("document.getElementById('waveform').clientWidth")
    finally:
        context.close()
    since = lambda name: marks[name] - marks["submitted"]  # noqa: E731
    return Round(since("paint"), since("page"), since("data"), since("ready")), width


def summary(label: str, rounds: list[Round]) -> dict[str, float]:
    """Print and return median and max of each mark."""
    figures = {}
    for mark in ("page", "data", "paint", "ready"):
        values = [getattr(r, mark) for r in rounds]
        figures[f"{mark}_median_ms"] = round(statistics.median(values), 1)
        figures[f"{mark}_max_ms"] = round(max(values), 1)
    print(
        f"{label:5} first paint median {figures['paint_median_ms']:8.0f} ms,"
        f" max {figures['paint_max_ms']:8.0f} ms   (page in {figures['page_median_ms']:.0f},"
        f" data in {figures['data_median_ms']:.0f}, ready {figures['ready_median_ms']:.0f}"
        " ms, medians)"
    )
    print(f"      each round: {', '.join(f'{r.paint:.0f}' for r in rounds)} ms")
    return figures


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(figures: dict[str, object]) -> None:
    began = time.perf_counter()
    wav = recording_wav(MINUTES)
    print(
        f"recording: {MINUTES:g} min, 2 channels, {RATE} Hz, 16-bit PCM WAV,"
        f" {len(wav) / 1e6:.1f} MB (generated in {time.perf_counter() - began:.1f} s)"
    )
    with tempfile.TemporaryDirectory(prefix="bench-waveform-") as tmp:
        root = Path(tmp)
        env = {
            "APP_ENV": "development",
            "DATABASE_URL": f"sqlite:///{root / 'app.db'}",
            "INSTANCE_DIR": str(root / "instance"),
            "STORAGE_URL": (root / "store").as_uri(),
            "SECRET_KEY": SECRET,
        }
        upgrade(env["DATABASE_URL"])
        path, cookie = set_up_app(env, wav)
        print("app: embedded defaults (SQLite, local encrypted file store), gunicorn "
              f"{' '.join(APP_WORKERS)}")  # fmt: skip
        with (
            sync_playwright() as playwright,
            gunicorn("wsgi:app", env, extra=APP_WORKERS) as port,
        ):
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            base = f"http://127.0.0.1:{port}"
            _, width = one_round(browser, base, path, cookie)  # warm-up
            bare_site(root / "bare", wav, width)
            with static_server(root / "bare") as bare_port:
                bare_base = f"http://127.0.0.1:{bare_port}"
                one_round(browser, bare_base, "/index.html", None)  # warm-up
                print(f"timing {ROUNDS} rounds each, alternating, from load average {load()}")
                app_rounds, bare_rounds = [], []
                for _ in range(ROUNDS):
                    app_rounds.append(one_round(browser, base, path, cookie)[0])
                    bare_rounds.append(one_round(browser, bare_base, "/index.html", None)[0])
            browser.close()
    print(f"waveform {width} CSS px wide; ms from submitting the reason; load average {load()}")
    app_figures = summary("app", app_rounds)
    bare_figures = summary("bare", bare_rounds)
    ratio = app_figures["paint_median_ms"] / bare_figures["paint_median_ms"]
    print(f"first paint app/bare (medians): {ratio:.2f}×")
    figures.update(
        minutes=MINUTES,
        rounds=ROUNDS,
        wav_bytes=len(wav),
        app=app_figures,
        bare=bare_figures,
        ratio=round(ratio, 2),
    )


if __name__ == "__main__":
    with bench_run("waveform") as results:
        main(results)
