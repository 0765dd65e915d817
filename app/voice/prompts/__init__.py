"""What the caller hears, one catalogue per language (SPEC §13): templates, voice, recordings.

Each language module (`en`, `cy`) holds every prompt as a template, its Polly voice and its
language tag. A deployment can replace any prompt of any language with a recording
(`PROMPT_AUDIO`), and the English texts it has always configured (GREETING_TEXT, …) still
override their English entries. `load_catalogues` builds the catalogues once, at start-up, and
refuses a language or a prompt it does not know.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType

from twilio.twiml.voice_response import Gather, VoiceResponse

from app.voice.prompts import cy, en
from config.settings import Settings

LANGUAGE_MODULES: dict[str, ModuleType] = {"en": en, "cy": cy}
# The recording GREETING_AUDIO_URL names has always been the greeting and the notice in one.
GREETING_AND_NOTICE = "greeting_and_notice"


class UnknownPrompt(ValueError):
    """The configuration names a language or a prompt no catalogue has."""


@dataclass(frozen=True)
class Catalogue:
    """One language's prompts: `speak` says a prompt (or plays its recording) on a TwiML node."""

    code: str
    language_tag: str
    voice: str
    texts: Mapping[str, str]
    audio: Mapping[str, str] = field(default_factory=dict)
    reviewed: bool = True

    def text(self, prompt: str, /, **values: object) -> str:
        """The prompt's words with `values` filled in."""
        return self.texts[prompt].format(**values)

    def say(self, node: VoiceResponse | Gather, words: str) -> None:
        """Say `words` in this language's voice."""
        node.say(words, voice=self.voice, language=self.language_tag)

    def speak(self, node: VoiceResponse | Gather, prompt: str, /, **values: object) -> None:
        """The prompt's recording if the deployment has one, else its words."""
        if prompt in self.audio:
            node.play(self.audio[prompt])
        else:
            self.say(node, self.text(prompt, **values))

    def speak_all(self, node: VoiceResponse | Gather, *parts: tuple[str, dict]) -> None:
        """Several prompts in a row: the words of neighbours in one `<Say>`, recordings played."""
        words: list[str] = []
        for key, values in parts:
            if key not in self.audio:
                words.append(self.text(key, **values))
                continue
            if words:
                self.say(node, " ".join(words))
                words = []
            node.play(self.audio[key])
        if words:
            self.say(node, " ".join(words))

    def minutes(self, seconds: int) -> str:
        """A wait in whole minutes, at least one, as this language says it."""
        count = max(1, round(seconds / 60))
        return self.text("minute") if count == 1 else self.text("minutes", count=count)


def _english_overrides(settings: Settings) -> dict[str, str]:
    return {
        "greeting": settings.greeting_text,
        "recording_notice": settings.recording_notice_text,
        "closed": settings.closed_message,
        "signposting": settings.signposting_message,
    }


def _catalogue(code: str, settings: Settings, audio: dict[str, str]) -> Catalogue:
    module = LANGUAGE_MODULES[code]
    texts = dict(module.TEXTS)
    unknown = sorted(set(audio) - set(texts) - {GREETING_AND_NOTICE})
    if unknown:
        raise UnknownPrompt(f"PROMPT_AUDIO names unknown {code} prompts: {', '.join(unknown)}")
    if code != "en":
        return Catalogue(code, module.LANGUAGE_TAG, module.VOICE, texts, audio, module.REVIEWED)
    texts.update(_english_overrides(settings))
    if settings.greeting_audio_url:
        audio = {GREETING_AND_NOTICE: settings.greeting_audio_url, **audio}
    return Catalogue(code, settings.language, settings.voice, texts, audio, module.REVIEWED)


def load_catalogues(settings: Settings) -> dict[str, Catalogue]:
    """The catalogue of every language the line speaks, keyed by code, in LANGUAGES order."""
    codes = dict.fromkeys((*settings.languages, settings.default_language))
    unknown = sorted(set(codes) - set(LANGUAGE_MODULES))
    if unknown:
        raise UnknownPrompt(f"no catalogue for language {', '.join(unknown)}")
    audio: Mapping[str, Mapping[str, str]] = {
        code: dict(prompts) for code, prompts in settings.prompt_audio
    }
    return {code: _catalogue(code, settings, dict(audio.get(code, {}))) for code in codes}
