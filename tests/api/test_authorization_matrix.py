"""Every staff API endpoint × every role, asserted from one table (SPEC §12).

"allowed" means the role check let the request through: anything but 401/403 (a dummy id may
give 404, a dummy body 400/422). A route served under /api without a row here fails the test.
"""

from __future__ import annotations

import re

import pytest

ADV, SUP, REC, ADM = "advisor", "supervisor", "records_officer", "admin"
ROLES = (ADV, SUP, REC, ADM)
ANYONE = "anyone"  # no token needed
STAFF = frozenset(ROLES)
CALL = "CA" + "0" * 32
REC_SID = "RE" + "0" * 32

# (method, route as Flask declares it, example path) -> the roles allowed (ANYONE: no token).
MATRIX: dict[tuple[str, str, str], frozenset[str] | str] = {
    ("POST", "/api/auth/token", "/api/auth/token"): ANYONE,
    ("DELETE", "/api/auth/token", "/api/auth/token"): STAFF,
    (
        "POST",
        "/api/staff/<int:staff_id>/deactivate",
        "/api/staff/999999/deactivate",
    ): frozenset({ADM}),
    ("GET", "/api/openapi.json", "/api/openapi.json"): ANYONE,
    ("GET", "/api/me", "/api/me"): STAFF,
    ("PUT", "/api/me/status", "/api/me/status"): frozenset({ADV}),
    ("GET", "/api/services", "/api/services"): STAFF,
    ("GET", "/api/voice-token", "/api/voice-token"): frozenset({ADV}),
    ("GET", "/api/advisors", "/api/advisors"): frozenset({SUP, ADM}),
    ("POST", "/api/advisors", "/api/advisors"): frozenset({ADM}),
    ("PATCH", "/api/advisors/<int:advisor_id>", "/api/advisors/999999"): frozenset({ADM}),
    ("GET", "/api/calls", "/api/calls"): frozenset({SUP, REC}),
    ("GET", "/api/calls/<call_sid>", f"/api/calls/{CALL}"): frozenset({SUP, REC}),
    ("POST", "/api/calls/<call_sid>/opt-out", f"/api/calls/{CALL}/opt-out"): frozenset({ADV, SUP}),
    ("POST", "/api/calls/<call_sid>/transfer", f"/api/calls/{CALL}/transfer"): frozenset({ADV}),
    ("GET", "/api/recordings/<recording_sid>", f"/api/recordings/{REC_SID}"): frozenset({SUP, REC}),
    (
        "GET",
        "/api/recordings/<recording_sid>/audio",
        f"/api/recordings/{REC_SID}/audio?reason=complaint",
    ): frozenset({SUP, REC}),
    ("POST", "/api/holds", "/api/holds"): frozenset({REC}),
    ("GET", "/api/holds", "/api/holds"): frozenset({REC}),
    ("DELETE", "/api/holds/<int:hold_id>", "/api/holds/999999"): frozenset({REC}),
    ("POST", "/api/access-requests", "/api/access-requests"): frozenset({REC}),
    (
        "GET",
        "/api/access-requests/<int:request_id>/cover-letter",
        "/api/access-requests/999999/cover-letter",
    ): frozenset({REC}),
    ("GET", "/api/access-requests", "/api/access-requests"): frozenset({REC}),
    (
        "GET",
        "/api/access-requests/<int:request_id>",
        "/api/access-requests/999999",
    ): frozenset({REC}),
    (
        "POST",
        "/api/access-requests/<int:request_id>/identity-verified",
        "/api/access-requests/999999/identity-verified",
    ): frozenset({REC}),
    (
        "POST",
        "/api/access-requests/<int:request_id>/extend",
        "/api/access-requests/999999/extend",
    ): frozenset({REC}),
    (
        "POST",
        "/api/access-requests/<int:request_id>/authority",
        "/api/access-requests/999999/authority",
    ): frozenset({REC}),
    (
        "PATCH",
        "/api/access-requests/<int:request_id>/recordings/<recording_sid>",
        f"/api/access-requests/999999/recordings/{REC_SID}",
    ): frozenset({REC}),
    (
        "POST",
        "/api/access-requests/<int:request_id>/fulfil",
        "/api/access-requests/999999/fulfil",
    ): frozenset({REC}),
    (
        "GET",
        "/api/access-requests/<int:request_id>/package",
        "/api/access-requests/999999/package",
    ): frozenset({REC}),
    (
        "DELETE",
        "/api/access-requests/<int:request_id>/package",
        "/api/access-requests/999999/package",
    ): frozenset({REC}),
    (
        "POST",
        "/api/access-requests/<int:request_id>/close",
        "/api/access-requests/999999/close",
    ): frozenset({REC}),
    **{
        (
            "POST",
            f"/api/access-requests/<int:request_id>/{step}",
            f"/api/access-requests/999999/{step}",
        ): frozenset({REC})
        for step in ("pause", "resume", "refuse")
    },
    ("PATCH", "/api/alerts/<int:alert_id>", "/api/alerts/999999"): frozenset({REC}),
    ("GET", "/api/reports/retention", "/api/reports/retention"): frozenset({REC}),
    ("GET", "/api/alerts", "/api/alerts"): frozenset({REC}),
    ("GET", "/api/audit", "/api/audit"): frozenset({REC}),
}

ROWS = [pytest.param(method, path, id=f"{method} {route}") for method, route, path in MATRIX]


def unconfigured(reply) -> bool:  # noqa: ANN001
    """A 503 naming a setting the test app leaves out (Voice SDK keys): a refusal by design."""
    return reply.status_code == 503 and reply.json["error"]["code"].endswith("not_configured")


def expected(method: str, path: str, who: str) -> str:
    """What the table says `who` gets: 'allowed', 401 or 403."""
    allowed = next(a for (m, _, p), a in MATRIX.items() if (m, p) == (method, path))
    if allowed == ANYONE:
        return "allowed"
    if who == "no token":
        return "401"
    return "allowed" if who in allowed else "403"


def test_the_table_covers_every_api_route(app):
    served = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    in_table = {(method, route) for method, route, _ in MATRIX}
    assert served - in_table == set(), "routes without a row in the authorization matrix"
    assert in_table - served == set(), "rows for routes that are not served"


def test_example_paths_match_their_routes(app):
    adapter = app.url_map.bind("localhost")
    for method, route, path in MATRIX:
        rule, _ = adapter.match(path.split("?")[0], method=method, return_rule=True)
        assert rule.rule == route


@pytest.mark.parametrize(("method", "path"), ROWS)
def test_every_role_gets_what_the_table_says(client, staff_headers, method, path):
    got = {}
    for who in (*ROLES, "no token"):
        headers = {} if who == "no token" else staff_headers(who)
        reply = client.open(path, method=method, json={}, headers=headers)
        body = reply.get_data(as_text=True)
        assert "Traceback" not in body, body
        assert reply.status_code < 500 or unconfigured(reply), (who, body)
        got[who] = str(reply.status_code) if reply.status_code in (401, 403) else "allowed"
        if got[who] != "allowed":
            assert reply.json["error"]["code"] in ("unauthenticated", "forbidden")
    assert got == {who: expected(method, path, who) for who in (*ROLES, "no token")}


def test_a_wrong_token_is_refused_everywhere_that_needs_one(client):
    for method, _, path in (k for k, allowed in MATRIX.items() if allowed != ANYONE):
        reply = client.open(path, method=method, json={}, headers={"Authorization": "Bearer x"})
        assert reply.status_code == 401, (method, path)
        assert re.fullmatch(r"\w+", reply.json["error"]["code"])
