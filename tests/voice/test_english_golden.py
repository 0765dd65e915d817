"""LANGUAGES=en (the reference deployment) says exactly what it said before the Welsh line.

The golden file was captured from the English-only code before languages were added; any change
to a word, a voice or a verb of the English call flow fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.sids import numbered_sid as sid
from tests.voice.english_steps import GOLDEN_NAME, OUT_OF_HOURS, WEBHOOK_STEPS, builder_steps

GOLDEN = Path(__file__).parent / "golden" / GOLDEN_NAME


def render_english_line(app, twilio_post, clock) -> dict[str, str]:  # noqa: ANN001
    """Every step's TwiML, as the English-only line answers it now."""
    rendered = {}
    for n, (name, path, form) in enumerate(WEBHOOK_STEPS, start=1):
        if name.startswith("queue_"):  # waiting callers have chosen a service first
            twilio_post("/twilio/menu/choice?attempt=1", CallSid=sid(n), Digits="1")
        rendered[name] = twilio_post(path, CallSid=sid(n), **form).get_data(as_text=True)
    rendered.update({name: build() for name, build in builder_steps(app).items()})
    clock["now"] = OUT_OF_HOURS
    rendered["closed"] = twilio_post("/twilio/voice", CallSid=sid(99)).get_data(as_text=True)
    return rendered


def test_english_only_line_is_unchanged_word_for_word(app, twilio_post, clock, tmp_path):
    assert app.config["SETTINGS"].languages == ("en",)
    with app.app_context():
        rendered = render_english_line(app, twilio_post, clock)
    actual = tmp_path / GOLDEN_NAME
    actual.write_text(json.dumps(rendered, indent=1, sort_keys=True) + "\n")
    golden = json.loads(GOLDEN.read_text())
    for name in sorted(golden.keys() | rendered.keys()):
        assert rendered.get(name) == golden.get(name), f"{name} changed (now in {actual})"
