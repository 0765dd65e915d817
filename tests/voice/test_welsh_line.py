"""A Welsh council's line (SPEC §13): Welsh first, the choice, then all in that language."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.models import Call
from tests.conftest import PUBLIC_BASE_URL
from tests.support.rows import one
from tests.support.sids import numbered_sid as sid
from tests.support.twiml import parse, spoken, verbs
from tests.voice.english_steps import OUT_OF_HOURS, WEBHOOK_STEPS

CALLER = sid(1)
WELSH = {"language": "cy-GB", "voice": "Polly.Gwyneth"}
ENGLISH = {"language": "en-GB", "voice": "Polly.Amy"}


@pytest.fixture
def settings(settings):  # noqa: ANN001, ANN201
    """The line speaks Welsh first, then English; English is the default."""
    return replace(settings, languages=("cy", "en"), default_language="en")


def voices(root) -> list[dict[str, str]]:  # noqa: ANN001
    return [{"language": s.get("language"), "voice": s.get("voice")} for s in root.iter("Say")]


def choose(twilio_post, digits: str, attempt: int = 1, call_sid: str = CALLER):  # noqa: ANN001, ANN201
    return parse(
        twilio_post(f"/twilio/language?attempt={attempt}", CallSid=call_sid, Digits=digits)
    )


def test_opening_greets_in_welsh_then_english_and_offers_the_choice(twilio_post, app):
    root = parse(twilio_post("/twilio/voice", CallSid=CALLER, From="+447700900123"))
    assert verbs(root) == ["Gather", "Redirect"]
    gather = root.find("Gather")
    assert gather.get("action") == f"{PUBLIC_BASE_URL}/twilio/language?attempt=1"
    assert gather.get("numDigits") == "1"
    says = [s.text for s in gather.iter("Say")]
    assert voices(gather) == [WELSH, ENGLISH, WELSH, ENGLISH]
    assert says[0].startswith("Diolch am ffonio Contact Cares")
    assert "Mae gwasanaeth Cymraeg ar gael" in says[0]
    assert says[1].startswith("Thank you for calling Contact Cares")
    assert says[2:] == ["I barhau yn Gymraeg, pwyswch 1.", "To continue in English, press 2."]
    assert root.find("Redirect").text == f"{PUBLIC_BASE_URL}/twilio/language?attempt=1"
    assert one(Call).language is None  # not chosen yet


def test_key_1_continues_in_welsh_with_the_recording_notice(twilio_post, app):
    root = choose(twilio_post, "1")
    assert verbs(root) == ["Gather", "Redirect"]
    assert root.find("Gather").get("action") == f"{PUBLIC_BASE_URL}/twilio/notice"
    assert voices(root) == [WELSH]
    assert "pwyswch seren" in spoken(root) and "recordio" in spoken(root)
    assert root.find("Redirect").text == f"{PUBLIC_BASE_URL}/twilio/menu?attempt=1"
    assert one(Call).language == "cy"


def test_key_2_continues_in_english(twilio_post, app):
    root = choose(twilio_post, "2")
    assert voices(root) == [ENGLISH]
    assert "press star" in spoken(root)
    assert one(Call).language == "en"


@pytest.mark.parametrize("digits", ["", "3", "*"])
def test_no_or_invalid_key_repeats_the_choice_once_without_the_greeting(twilio_post, digits):
    root = choose(twilio_post, digits)
    assert verbs(root) == ["Gather", "Redirect"]
    assert root.find("Gather").get("action").endswith("/twilio/language?attempt=2")
    assert [s.text for s in root.iter("Say")] == [
        "I barhau yn Gymraeg, pwyswch 1.",
        "To continue in English, press 2.",
    ]


@pytest.mark.parametrize("digits", ["", "9"])
def test_second_miss_continues_in_the_default_language(twilio_post, app, digits):
    root = choose(twilio_post, digits, attempt=2)
    assert voices(root) == [ENGLISH]
    assert one(Call).language == "en"


def test_default_language_welsh_applies_after_two_misses(make_app, settings):
    app = make_app(default_language="cy")
    from tests.conftest import sign

    path = "/twilio/language?attempt=2"
    form = {"CallSid": CALLER, "Digits": ""}
    response = app.test_client().post(
        path, data=form, headers={"X-Twilio-Signature": sign(PUBLIC_BASE_URL + path, form)}
    )
    assert voices(parse(response)) == [WELSH]


def test_out_of_hours_closed_message_and_signposting_in_welsh_then_english(twilio_post, clock):
    clock["now"] = OUT_OF_HOURS
    root = parse(twilio_post("/twilio/voice", CallSid=CALLER))
    assert verbs(root) == ["Say", "Say", "Say", "Say", "Hangup"]
    assert voices(root) == [WELSH, WELSH, ENGLISH, ENGLISH]
    says = [s.text for s in root.iter("Say")]
    assert "ar gau" in says[0] and "999" in says[1]
    assert "closed" in says[2] and "999" in says[3]


def test_welsh_menu_names_each_service_in_welsh(twilio_post):
    choose(twilio_post, "1")
    root = parse(twilio_post("/twilio/menu?attempt=1", CallSid=CALLER))
    assert voices(root) == [WELSH]
    menu = spoken(root)
    assert menu.startswith("Dewiswch o'r opsiynau canlynol.")
    assert "Ar gyfer ymateb brys mewn argyfwng, pwyswch 4." in menu
    assert menu.index("pwyswch 5") < menu.index("pwyswch 0")


@pytest.mark.parametrize(("name", "path", "form"), WEBHOOK_STEPS[1:], ids=lambda v: str(v))
def test_every_later_prompt_is_in_welsh(twilio_post, name, path, form):
    choose(twilio_post, "1")
    if name.startswith("queue_"):
        twilio_post("/twilio/menu/choice?attempt=1", CallSid=CALLER, Digits="1")
    root = parse(twilio_post(path, CallSid=CALLER, **form))
    assert voices(root), f"{name} says nothing"
    assert all(v == WELSH for v in voices(root)), name
    assert "Thank you" not in spoken(root) and "Sorry" not in spoken(root)


def test_welsh_wait_announces_position_and_estimate_in_welsh(app):
    prompts = app.config["PROMPTS"]["cy"]
    from app.voice import twiml

    root = parse_twiml(twiml.hold(prompts, app.config["SETTINGS"], 3, 240))
    assert spoken(root) == (
        "Rydych chi'n rhif 3 yn y ciw. Bydd rhaid i chi aros tua 4 munud. Diolch am aros."
    )


def test_welsh_advisor_connect_and_goodbye_in_welsh(app):
    from app.domain.routing import parse_endpoint
    from app.voice import connect, twiml

    prompts, settings = app.config["PROMPTS"]["cy"], app.config["SETTINGS"]
    urls = twiml.Urls(PUBLIC_BASE_URL)
    dial = parse_twiml(
        connect.dial_advisor(settings, prompts, urls, 1, parse_endpoint("client:a"), True)
    )
    assert verbs(dial) == ["Say", "Dial"] and voices(dial) == [WELSH]
    goodbye = parse_twiml(connect.goodbye(prompts))
    assert spoken(goodbye) == "Diolch am ffonio Contact Cares. Hwyl fawr."


def parse_twiml(response):  # noqa: ANN001, ANN201
    import xml.etree.ElementTree as ET

    return ET.fromstring(str(response))  # noqa: S314


def test_a_prompt_can_be_a_recording_per_language(make_app):
    from app.voice import twiml

    url = "https://audio.example.gov.uk/croeso.mp3"
    app = make_app(prompt_audio=(("cy", (("greeting", url),)),))
    line = [app.config["PROMPTS"][code] for code in ("cy", "en")]
    gather = parse_twiml(twiml.language_choice(line, twiml.Urls(PUBLIC_BASE_URL), 1)).find("Gather")
    assert [child.tag for child in gather] == ["Play", "Say", "Say", "Say"]
    assert gather.find("Play").text == url


def test_prompt_audio_is_read_from_the_environment():
    from config.settings import load_settings

    settings = load_settings({"PROMPT_AUDIO": '{"cy": {"goodbye": "https://a/hwyl.mp3"}}'})
    assert settings.prompt_audio == (("cy", (("goodbye", "https://a/hwyl.mp3"),)),)


@pytest.mark.parametrize(
    "changes",
    [{"languages": ("cy", "fr")}, {"prompt_audio": (("cy", (("no_such_prompt", "https://a"),)),)}],
)
def test_an_unknown_language_or_prompt_stops_start_up(make_app, changes):
    from app.voice.prompts import UnknownPrompt

    with pytest.raises(UnknownPrompt):
        make_app(**changes)


def test_welsh_catalogue_has_every_prompt_and_is_marked_for_review():
    from app.voice.prompts import cy, en

    assert set(cy.TEXTS) == set(en.TEXTS)
    assert cy.REVIEWED is False and "translators" in (cy.__doc__ or "")
