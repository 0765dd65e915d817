"""The board of a Welsh council's line shows today's calls by language (SPEC §13, §14)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from app.extensions import db
from app.models import Call
from tests.console.support import sign_in_as
from tests.console.test_board import BOARD
from tests.routing.support import add_staff, add_waiting_call


@pytest.fixture
def settings(settings):  # noqa: ANN001, ANN201
    """A Welsh council's line."""
    return replace(settings, languages=("cy", "en"))


def test_the_board_shows_today_by_language(client):
    sign_in_as(client, add_staff("sue@x.gov.uk", role="supervisor", skills=(), endpoint=None))
    call_id = add_waiting_call(1)
    with db.transaction() as session:
        session.get(Call, call_id).language = "cy"
    page = client.get(BOARD).get_data(as_text=True)
    table = page[page.index("Today by language") : page.index('id="queues-title"')]
    shown = " ".join(re.sub(r"<[^>]+>", " ", table).split())  # the table's text, cell by cell
    assert "Language Offered Answered Abandoned Welsh (Cymraeg) 1 0 0 English 0 0 0" in shown
