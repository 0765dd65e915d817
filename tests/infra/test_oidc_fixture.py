"""The oidc_provider fixture is a real OpenID Connect provider: discovery, sign-in, tokens.

The client side is Authlib's Flask integration, as the staff console will use it, served on a
free port; Chromium goes through the provider's sign-in and consent pages.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from authlib.integrations.flask_client import OAuth
from flask import Flask, jsonify, url_for
from werkzeug.serving import make_server


@pytest.fixture
def oidc_client_app(oidc_provider) -> Iterator[str]:  # noqa: ANN001
    """A tiny Flask app signing in with Authlib against the provider; yields its base URL."""
    app = Flask(__name__)
    app.secret_key = "test-only"  # noqa: S105
    oauth = OAuth(app)
    oauth.register(
        "staff",
        client_id=oidc_provider.client_id,
        client_secret=oidc_provider.client_secret,
        server_metadata_url=oidc_provider.discovery_url,
        client_kwargs={"scope": "openid email profile"},
    )

    @app.get("/login")
    def login():  # noqa: ANN202
        return oauth.staff.authorize_redirect(url_for("callback", _external=True))

    @app.get("/callback")
    def callback():  # noqa: ANN202
        token = oauth.staff.authorize_access_token()
        userinfo = oauth.staff.userinfo(token=token)
        return jsonify(id_token=dict(token["userinfo"]), userinfo=dict(userinfo))

    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    oidc_provider.add_redirect_uri(f"{base}/callback")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def test_discovery_document_answers(oidc_provider) -> None:  # noqa: ANN001
    metadata = oidc_provider.metadata()
    assert metadata["issuer"] == oidc_provider.issuer
    assert oidc_provider.issuer.startswith("http://127.0.0.1:")
    assert metadata["authorization_endpoint"].startswith(oidc_provider.issuer)
    assert "code" in metadata["response_types_supported"]
    assert {"email", "email_verified", "name"} <= set(metadata["claims_supported"])
    assert oidc_provider.client_id and oidc_provider.client_secret


def test_authorization_code_flow_in_chromium(oidc_provider, oidc_client_app, page) -> None:  # noqa: ANN001
    login = oidc_provider.add_account("ann.advisor@sthelens.gov.uk", name="Ann Advisor")
    page.goto(f"{oidc_client_app}/login")
    oidc_provider.sign_in(page, login)
    page.wait_for_url(f"{oidc_client_app}/callback?**")
    claims = json.loads(page.locator("body").inner_text())
    for source in ("id_token", "userinfo"):
        assert claims[source]["sub"] == login
        assert claims[source]["email"] == "ann.advisor@sthelens.gov.uk"
        assert claims[source]["email_verified"] is True
        assert claims[source]["name"] == "Ann Advisor"
    assert claims["id_token"]["iss"] == oidc_provider.issuer
    assert claims["id_token"]["aud"] == oidc_provider.client_id


def test_unverified_email_is_passed_on(oidc_provider, oidc_client_app, page) -> None:  # noqa: ANN001
    login = oidc_provider.add_account("new.starter@sthelens.gov.uk", email_verified=False)
    page.goto(f"{oidc_client_app}/login")
    oidc_provider.sign_in(page, login)
    page.wait_for_url(f"{oidc_client_app}/callback?**")
    claims = json.loads(page.locator("body").inner_text())
    assert claims["id_token"]["email"] == "new.starter@sthelens.gov.uk"
    assert claims["id_token"]["email_verified"] is False


def test_an_unknown_login_is_refused(oidc_provider, oidc_client_app, page) -> None:  # noqa: ANN001
    page.goto(f"{oidc_client_app}/login")
    with pytest.raises(AssertionError, match="refused 'nobody@example.org'"):
        oidc_provider.sign_in(page, "nobody@example.org")
    assert page.url.startswith(f"{oidc_provider.issuer}/interaction/")  # the form, again

    login = oidc_provider.add_account("somebody@example.org")
    oidc_provider.sign_in(page, login)
    page.wait_for_url(f"{oidc_client_app}/callback?**")
    assert json.loads(page.locator("body").inner_text())["userinfo"]["sub"] == login


def test_rp_initiated_logout_returns_to_the_client(oidc_provider, oidc_client_app, page) -> None:  # noqa: ANN001
    login = oidc_provider.add_account("leaver@sthelens.gov.uk")
    page.goto(f"{oidc_client_app}/login")
    oidc_provider.sign_in(page, login)
    page.wait_for_url(f"{oidc_client_app}/callback?**")
    after = f"{oidc_client_app}/signed-out"
    oidc_provider.add_post_logout_redirect_uri(after)
    end_session = oidc_provider.metadata()["end_session_endpoint"]
    query = urlencode({"client_id": oidc_provider.client_id, "post_logout_redirect_uri": after})
    page.goto(f"{end_session}?{query}")
    page.click("button[autofocus]")  # the provider's "Do you want to sign-out?" page: Yes
    page.wait_for_url(f"{after}**")
