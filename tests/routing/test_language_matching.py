"""Matching respects the caller's language; the Welsh caller's offer widens it (SPEC §13)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from app.domain.routing import IdleAdvisor, WaitingCaller, choose_pair
from app.models import Call, Staff
from tests.conftest import IN_HOURS, PUBLIC_BASE_URL
from tests.routing.language_support import caller_language, speaks
from tests.routing.support import CALLER, add_staff, add_waiting_call, wait_poll
from tests.support.rows import one
from tests.support.sids import numbered_sid as sid
from tests.support.twiml import parse, spoken, verbs

T0 = IN_HOURS


def caller(n: int, language: str | None, *, any_language: bool = False) -> WaitingCaller:
    return WaitingCaller(
        n, "adult_social_care", 2, T0 + timedelta(seconds=n), language, any_language
    )


def advisor(n: int, *languages: str) -> IdleAdvisor:
    return IdleAdvisor(n, frozenset({"adult_social_care"}), T0, frozenset(languages))


def test_welsh_caller_is_never_matched_to_an_english_only_advisor():
    assert choose_pair([caller(1, "cy")], [advisor(1, "en")]) is None


def test_english_caller_behind_a_waiting_welsh_caller_is_served():
    pair = choose_pair([caller(1, "cy"), caller(2, "en")], [advisor(1, "en")])
    assert pair is not None and pair[0].call_id == 2


def test_welsh_caller_goes_to_the_welsh_speaker():
    pair = choose_pair([caller(1, "cy")], [advisor(1, "en"), advisor(2, "cy", "en")])
    assert pair is not None and pair[1].advisor_id == 2


def test_after_accepting_any_language_the_welsh_caller_is_matched_to_english():
    pair = choose_pair([caller(1, "cy", any_language=True)], [advisor(1, "en")])
    assert pair is not None and pair[0].call_id == 1


def test_caller_who_has_not_chosen_goes_to_anyone():
    assert choose_pair([caller(1, None)], [advisor(1, "cy")]) is not None


@pytest.fixture
def settings(settings):  # noqa: ANN001, ANN201
    """A Welsh council's line."""
    return replace(settings, languages=("cy", "en"), language_wait_offer_seconds=120)


@pytest.fixture
def welsh_caller(in_queue) -> int:  # noqa: ANN001
    call_id = add_waiting_call(1, waited=timedelta(minutes=3))
    caller_language(call_id, "cy")
    in_queue(CALLER)
    return call_id


def test_welsh_caller_waiting_is_offered_english_in_welsh(twilio_post, welsh_caller):
    amy = add_staff("amy@x.gov.uk")  # English only
    root = parse(wait_poll(twilio_post, waited=130))
    assert verbs(root) == ["Say", "Gather", "Pause"]
    gather = root.find("Gather")
    assert gather.get("action") == f"{PUBLIC_BASE_URL}/twilio/queue/language-offer"
    assert {s.get("language") for s in root.iter("Say")} == {"cy-GB"}
    assert {s.get("voice") for s in root.iter("Say")} == {"Polly.Gwyneth"}
    assert "pwyswch 2" in spoken(gather) and "Saesneg" in spoken(gather)
    assert one(Staff, Staff.id == amy).status == "available"  # never offered the caller
    assert one(Call).routing_state == "waiting"


def test_no_offer_before_the_wait(twilio_post, welsh_caller):
    add_staff("amy@x.gov.uk")
    root = parse(wait_poll(twilio_post, waited=60))
    assert verbs(root) == ["Say", "Pause"]
    assert one(Call).routing_state == "waiting"


def test_no_offer_while_a_welsh_speaker_is_free_for_another_service(twilio_post, welsh_caller):
    add_staff("amy@x.gov.uk")
    speaks(add_staff("bryn@x.gov.uk", skills=("careline",), endpoint="client:bryn"), "cy", "en")
    root = parse(wait_poll(twilio_post, waited=130))
    assert verbs(root) == ["Say", "Gather", "Pause"]  # Bryn cannot take this service


def test_pressing_2_stores_the_choice_and_matches_the_english_advisor(twilio_post, welsh_caller):
    amy = add_staff("amy@x.gov.uk")
    wait_poll(twilio_post, waited=130)
    root = parse(twilio_post("/twilio/queue/language-offer", CallSid=CALLER, Digits="2"))
    assert verbs(root) == ["Leave"]
    call = one(Call)
    assert call.any_language_since == IN_HOURS
    assert (call.routing_state, call.assigned_advisor_id) == ("connecting", amy)
    assert one(Staff, Staff.id == amy).status == "busy"


def test_pressing_2_with_nobody_free_keeps_waiting_in_welsh(twilio_post, welsh_caller):
    root = parse(twilio_post("/twilio/queue/language-offer", CallSid=CALLER, Digits="2"))
    assert verbs(root) == ["Say", "Pause"]
    assert "Saesneg" in spoken(root)
    assert one(Call).any_language_since == IN_HOURS


def test_another_key_changes_nothing(twilio_post, welsh_caller):
    add_staff("amy@x.gov.uk")
    root = parse(twilio_post("/twilio/queue/language-offer", CallSid=CALLER, Digits="1"))
    assert verbs(root) == ["Pause"]
    assert one(Call).any_language_since is None and one(Call).routing_state == "waiting"


def test_welsh_speaking_advisor_takes_the_welsh_caller_without_an_offer(twilio_post, welsh_caller):
    add_staff("amy@x.gov.uk", since=IN_HOURS - timedelta(hours=1))  # idle longest, English only
    bryn = add_staff("bryn@x.gov.uk", endpoint="client:bryn")
    speaks(bryn, "cy", "en")
    assert verbs(parse(wait_poll(twilio_post, waited=130))) == ["Leave"]
    assert one(Call).assigned_advisor_id == bryn


def test_english_caller_is_served_ahead_of_a_welsh_caller_nobody_speaks_for(
    twilio_post, welsh_caller, in_queue
):
    english = add_waiting_call(2, waited=timedelta(minutes=1))
    caller_language(english, "en")
    in_queue(sid(2))
    amy = add_staff("amy@x.gov.uk")
    assert verbs(parse(wait_poll(twilio_post, sid(2)))) == ["Leave"]
    assert one(Call, Call.id == english).assigned_advisor_id == amy
    assert one(Call, Call.id == welsh_caller).routing_state == "waiting"
