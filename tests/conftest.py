"""Fixtures shared by every test: the app on SQLite and on PostgreSQL, clients, signing."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import settings as hypothesis_settings
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from twilio.request_validator import RequestValidator

from app import create_app
from app.db import upgrade
from app.extensions import db
from app.models import Base
from config.settings import load_settings
from tests.fakes.twilio_api import FakeTwilio

# scripts/test-any-date.sh preloads libfaketime into this process: the servers the tests start
# (Redis, moto, gunicorn, Node) run on the real clock, so the library is not handed down to them.
os.environ.pop("LD_PRELOAD", None)

# Property tests judge results, not speed: on a loaded 2-core CI machine a case may take longer
# than Hypothesis's default 200 ms deadline, which would fail a correct test.
hypothesis_settings.register_profile("contact-line", deadline=None)
hypothesis_settings.load_profile("contact-line")

pytest_plugins = [
    "tests.fixtures.servers",
    "tests.fixtures.twilio",
    "tests.fixtures.s3",
    "tests.fixtures.live_app",
    "tests.fixtures.browser",
    "tests.fixtures.oidc",
    "tests.fixtures.smtp",
]


@pytest.fixture(autouse=True)
def _unfreeze_the_garbage_collector() -> Iterator[None]:
    """A test that runs the Procfile's worker in this process froze the heap (`warm_up`):
    thawed after it, so the suite's later garbage is collected as usual."""
    yield
    if gc.get_freeze_count():
        gc.unfreeze()


# Tests whose rules depend on "now": scripts/test-any-date.sh runs them (`-m dates`) under
# libfaketime at a DST change, a leap day and a year from today. They must pass on any date.
DATE_SENSITIVE = (
    "tests/web/test_metrics.py",
    "tests/domain/test_opening_hours.py",
    "tests/recordings/test_retention_rules.py",
    "tests/recordings/test_subject_access_rules.py",
    "tests/retention/test_retention_job.py",
    "tests/api/test_access_requests.py",
    "tests/api/test_reports.py",
    "tests/api/test_auth.py",
    "tests/recordings/test_access_package.py",
    "tests/routing/test_stale_claims.py",
    "tests/voice/test_call_flow.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the date-sensitive tests `dates`."""
    root = Path(str(config.rootpath))
    for item in items:
        if str(Path(str(item.path)).relative_to(root)) in DATE_SENSITIVE:
            item.add_marker(pytest.mark.dates)


PUBLIC_BASE_URL = "https://contact.example.gov.uk"
AUTH_TOKEN = "test-auth-token"  # noqa: S105
ACCOUNT_SID = "AC" + "1" * 32
IN_HOURS = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, 10:00 in London


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Each app test runs twice: on the embedded SQLite default and on real PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    upgrade(url)
    yield url
    db.dispose()  # before the database goes: no connection of ours outlives it


def _empty_tables(url: str) -> None:
    tables = [t.name for t in Base.metadata.sorted_tables]
    with db.engine.begin() as conn:  # type: ignore[union-attr]
        if url.startswith("postgres"):
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def settings(database_url: str, tmp_path: Path, redis_server):  # noqa: ANN001, ANN201
    """Settings for one test: real database and Redis, a temporary store."""
    env = {
        "APP_ENV": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_server.url,
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
    }
    return load_settings(env)


@pytest.fixture
def clock() -> dict[str, datetime]:
    """The app's notion of now; tests move it by setting clock['now']."""
    return {"now": IN_HOURS}


@pytest.fixture
def app(settings, clock, database_url: str) -> Iterator[Flask]:  # noqa: ANN001
    """The app under test; its tables and its Redis database are emptied afterwards."""
    application = create_app({"SETTINGS": settings, "TESTING": True, "CLOCK": lambda: clock["now"]})
    yield application
    _empty_tables(database_url)
    with suppress(RedisError):  # a fault test may have left Redis stopped
        Redis.from_url(settings.redis_url, socket_connect_timeout=1).flushdb()


@pytest.fixture
def make_app(settings, clock):  # noqa: ANN001, ANN201
    """Build the app with changed settings, e.g. make_app(queue_max_wait_seconds=60)."""

    def build(**changes: object) -> Flask:
        return create_app(
            {
                "SETTINGS": replace(settings, **changes),
                "TESTING": True,
                "CLOCK": lambda: clock["now"],
            }
        )

    return build


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for `app`."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for `app`'s commands."""
    return app.test_cli_runner()


def sign(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """The X-Twilio-Signature Twilio would send for this URL and form."""
    return RequestValidator(token).compute_signature(url, params)


@pytest.fixture
def redis_stopped(redis_server):  # noqa: ANN001, ANN201
    """Stop the private Redis for the test; always start it again (same port) afterwards."""
    redis_server.stop()
    yield redis_server
    if redis_server.process is None:
        redis_server.start()


@pytest.fixture
def twilio_post(client: FlaskClient) -> Callable[..., object]:
    """POST to a webhook path as Twilio would: signed against PUBLIC_BASE_URL."""

    def post(path: str, headers: dict[str, str] | None = None, **form: str):  # noqa: ANN202
        signature = sign(PUBLIC_BASE_URL + path, form)
        return client.post(
            path, data=form, headers={"X-Twilio-Signature": signature, **(headers or {})}
        )

    return post


@pytest.fixture(scope="session")
def app_twilio_server() -> Iterator[FakeTwilio]:
    """A fake Twilio REST API holding the app's own credentials (the token also signs webhooks)."""
    with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as fake:
        yield fake


@pytest.fixture
def app_twilio(app_twilio_server: FakeTwilio) -> Iterator[FakeTwilio]:
    """The fake Twilio the app talks to when `settings` point at it; fails on any invalid call.

    Point the app at it by overriding `settings`:
    `replace(settings, twilio_api_base_url=app_twilio.base_url)`.
    """
    app_twilio_server.reset()
    yield app_twilio_server
    violations = app_twilio_server.take_violations()
    if violations:
        listed = "\n".join(f"  - {v}" for v in violations)
        pytest.fail(
            f"Twilio API calls that do not match Twilio's OpenAPI:\n{listed}", pytrace=False
        )


@pytest.fixture
def recording_store(local_storage):  # noqa: ANN001, ANN201
    """The store the recording runtime uses; override with `storage` to cover both backends."""
    return local_storage


@pytest.fixture
def runtime(app: Flask, app_twilio: FakeTwilio, recording_store) -> Iterator[object]:  # noqa: ANN001
    """The jobs' runtime: the app's settings and store, Twilio's REST API at the fake.

    The app serves audio from the same store and master key; the job queue starts empty.
    """
    from tests.support.runtime import job_runtime

    with job_runtime(
        app, storage=recording_store, twilio_base_url=app_twilio.base_url, flush_queue=True
    ) as runtime:
        yield runtime


@pytest.fixture
def staff_headers(app: Flask) -> Callable[[str], dict[str, str]]:
    """Authorization headers of a new member of staff with `role`."""
    from tests.support.staff import staff_headers as make

    return make


def pcm_wav(seconds: float = 2.0, channels: int = 2, rate: int = 8000) -> bytes:
    """A 16-bit PCM WAV of random samples (no run of it can appear by chance elsewhere)."""
    import io
    import os
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(os.urandom(2 * channels * int(seconds * rate)))
    return buffer.getvalue()


CALL_SID = "CA" + "c" * 32
RECORDING_START = "Mon, 23 Nov 2026 10:00:00 +0000"


@pytest.fixture
def announce_recording(twilio_post, app_twilio: FakeTwilio):  # noqa: ANN001, ANN201
    """Make Twilio hold a recording and send its `completed` callback; returns its SID."""

    def announce(audio: bytes | None = None, *, call_sid: str = CALL_SID, **form: str) -> str:
        sid = app_twilio.add_recording(call_sid=call_sid, audio=audio or pcm_wav())
        params = {
            "RecordingSid": sid,
            "RecordingStatus": "completed",
            "RecordingDuration": "2",
            "RecordingChannels": "2",
            "RecordingSource": "DialVerb",
            "RecordingStartTime": RECORDING_START,
            "CallSid": call_sid,
            "AccountSid": ACCOUNT_SID,
            **form,
        }
        reply = twilio_post("/twilio/recording-status", **params)
        assert reply.status_code == 204, reply.get_data(as_text=True)
        return sid

    return announce
