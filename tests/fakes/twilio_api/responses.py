"""The fake's answers: JSON bodies, Twilio-style errors and list pages (``PageToken`` cursors)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from tests.fakes.twilio_api.state import Queue, Recording, TwilioError

__all__ = ["json_response", "list_page", "twilio_error"]


def json_response(body: dict[str, Any], status: int = 200) -> Response:
    """A JSON answer."""
    return Response(json.dumps(body), status=status, mimetype="application/json")


def twilio_error(status: int, code: int, message: str) -> Response:
    """A response shaped like Twilio's JSON errors."""
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
    return response


def list_page(
    request: Request,
    key: str,
    items: list[Any],
    to_json: Callable[[Any], dict[str, Any]],
    *,
    descending: bool,
) -> Response:
    """A Twilio list page; ``PageToken`` is a cursor, so deleting while paging skips nothing."""
    args = request.args
    size = int(args.get("PageSize", 50))
    number = int(args.get("Page", 0))
    items = sorted(items, key=_sort_key, reverse=descending)
    token = args.get("PageToken")
    if token:
        after = _token_key(token)
        items = [i for i in items if (_sort_key(i) < after if descending else _sort_key(i) > after)]
    page, rest = items[:size], items[size:]
    filters = {k: v for k, v in args.items() if k not in ("Page", "PageSize", "PageToken")}

    def uri(page_number: int, page_token: str | None) -> str:
        query: dict[str, Any] = {**filters, "PageSize": size, "Page": page_number}
        if page_token:
            query["PageToken"] = page_token
        return f"{request.path}?{urlencode(query)}"

    next_token = _page_token(page[-1]) if rest else None
    return json_response(
        {
            key: [to_json(item) for item in page],
            "first_page_uri": uri(0, None),
            "next_page_uri": uri(number + 1, next_token) if next_token else None,
            "previous_page_uri": None,
            "page": number,
            "page_size": size,
            "start": number * size,
            "end": number * size + max(len(page) - 1, 0),
            "uri": uri(number, token),
        }
    )


def _sort_key(item: Recording | Queue) -> tuple[int, str]:
    return (int(item.date_created.timestamp() * 1_000_000), item.sid)


def _page_token(item: Recording | Queue) -> str:
    micros, sid = _sort_key(item)
    return f"PA{micros}_{sid}"


def _token_key(token: str) -> tuple[int, str]:
    micros, _, sid = token.removeprefix("PA").partition("_")
    try:
        return (int(micros), sid)
    except ValueError:
        raise TwilioError(400, 20001, f"Invalid PageToken {token!r}") from None
