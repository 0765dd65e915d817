"""Every response's security headers (once each), cookie-less sessions, and the limiter's scope."""

from __future__ import annotations

from app.extensions import limiter


def _count(reply, name: str) -> int:  # noqa: ANN001
    return len(reply.headers.getlist(name))


def test_a_twilio_webhook_answer_carries_the_plain_headers_once_and_no_cookie(twilio_post):
    reply = twilio_post(
        "/twilio/voice", CallSid="CA" + "a" * 32, From="+447700900123", To="+441744676767"
    )
    assert reply.status_code == 200 and reply.mimetype == "application/xml"
    assert reply.headers.getlist("X-Content-Type-Options") == ["nosniff"]
    assert reply.headers.getlist("Referrer-Policy") == ["same-origin"]
    assert "Content-Security-Policy" not in reply.headers  # not a page
    assert "Set-Cookie" not in reply.headers
    assert "X-RateLimit-Limit" not in reply.headers


def test_a_download_link_leaks_no_referrer_and_is_never_cached(client):
    reply = client.get("/access/not-a-real-token")
    assert reply.status_code == 404
    assert reply.headers.getlist("Referrer-Policy") == ["no-referrer"]
    assert reply.headers.getlist("Cache-Control") == ["no-store"]
    assert _count(reply, "X-Content-Type-Options") == 1


def test_a_console_page_carries_the_page_headers_once(client):
    reply = client.get("/console/login")
    assert reply.status_code == 200
    for name in ("Content-Security-Policy", "X-Frame-Options", "Cache-Control", "Referrer-Policy"):
        assert _count(reply, name) == 1, name
    assert "frame-ancestors 'none'" in reply.headers["Content-Security-Policy"]
    assert reply.headers["Cache-Control"] == "no-store"


def test_a_session_cookie_still_opens_the_session(client):
    client.get("/console/login")  # sets the CSRF token in the session
    assert client.get_cookie("contact_console") is not None
    with client.session_transaction() as session:
        assert "csrf_token" in session


def test_the_limiter_hooks_every_blueprint_but_twilios(app):
    def hooked(hooks: dict, name: str | None) -> bool:
        return any(
            getattr(hook, "__self__", None) is limiter
            or next(iter(getattr(hook, "args", ())), None) is limiter
            for hook in hooks.get(name, [])
        )

    for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        assert not hooked(hooks, None) and not hooked(hooks, "voice")
        for name in ("api", "console", "access_request"):
            assert hooked(hooks, name), name
