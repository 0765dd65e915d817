"""TwiML for each step of the call flow, built with VoiceResponse (SPEC §4, §13).

The words come from the caller's language catalogue (app.voice.prompts); these builders only
decide which prompts, in which order, around which verbs.
"""

from __future__ import annotations

from collections.abc import Sequence

from twilio.twiml.voice_response import Gather, VoiceResponse

from app.domain.languages import ANY_LANGUAGE_KEY
from app.voice.prompts import GREETING_AND_NOTICE, Catalogue
from config.services import Service
from config.settings import Settings

MAX_MENU_ATTEMPTS = 2
LANGUAGE_CHOICE_SECONDS = 5
LANGUAGE_OFFER_SECONDS = 5


class Urls:
    """Absolute URLs of our own webhooks, as Twilio must call them."""

    def __init__(self, base: str) -> None:
        self.base = base

    def __call__(self, path: str) -> str:
        return f"{self.base}/twilio/{path}"


def closed(line: Sequence[Catalogue]) -> VoiceResponse:
    """Out of hours: the closed message and signposting in every language, then goodbye."""
    response = VoiceResponse()
    for prompts in line:
        prompts.speak(response, "closed")
        prompts.speak(response, "signposting")
    response.hangup()
    return response


def greeting(prompts: Catalogue, urls: Urls, *, greet: bool = True) -> VoiceResponse:
    """The greeting (unless already given) and recording notice; star during it opts out."""
    response = VoiceResponse()
    gather = Gather(num_digits=1, action=urls("notice"), method="POST", timeout=1)
    if greet and GREETING_AND_NOTICE in prompts.audio:
        gather.play(prompts.audio[GREETING_AND_NOTICE])
    else:
        if greet:
            prompts.speak(gather, "greeting")
        prompts.speak(gather, "recording_notice")
    response.append(gather)
    response.redirect(urls("menu?attempt=1"), method="POST")
    return response


def language_choice(line: Sequence[Catalogue], urls: Urls, attempt: int) -> VoiceResponse:
    """A bilingual line: the greeting in every language (first time only), then the choice."""
    response = VoiceResponse()
    action = urls(f"language?attempt={attempt}")
    gather = Gather(num_digits=1, action=action, method="POST", timeout=LANGUAGE_CHOICE_SECONDS)
    if attempt == 1:
        for prompts in line:
            prompts.speak(gather, "greeting")
    for key, prompts in enumerate(line, start=1):
        prompts.speak(gather, "choose_language", key=key)
    response.append(gather)
    response.redirect(action, method="POST")
    return response


def opted_out(prompts: Catalogue, urls: Urls, next_path: str) -> VoiceResponse:
    """Confirm the opt-out, then carry on where the caller was."""
    response = VoiceResponse()
    prompts.speak(response, "opted_out")
    response.redirect(urls(next_path), method="POST")
    return response


def menu(
    prompts: Catalogue, urls: Urls, services: Sequence[Service], attempt: int
) -> VoiceResponse:
    """The service menu, keys 1-9 first and 0 last; no input falls through with no digits."""
    response = VoiceResponse()
    action = urls(f"menu/choice?attempt={attempt}")
    gather = Gather(num_digits=1, action=action, method="POST", timeout=6)
    ordered = sorted(services, key=lambda s: (s.key == "0", s.key))
    options = [("menu_option", {"name": s.name_in(prompts.code), "key": s.key}) for s in ordered]
    prompts.speak_all(gather, ("menu_intro", {}), *options)
    response.append(gather)
    response.redirect(action, method="POST")
    return response


def menu_retry(prompts: Catalogue, urls: Urls, attempt: int) -> VoiceResponse:
    """No or invalid input: say so and repeat the menu once."""
    response = VoiceResponse()
    prompts.speak(response, "menu_retry")
    response.redirect(urls(f"menu?attempt={attempt + 1}"), method="POST")
    return response


def _join_queue(response: VoiceResponse, urls: Urls, service: Service) -> VoiceResponse:
    response.enqueue(
        service.code,
        wait_url=urls("queue/wait"),
        wait_url_method="POST",
        action=urls("queue/result"),
        method="POST",
    )
    return response


def enqueue_with(prompts: Catalogue, urls: Urls, service: Service, key: str) -> VoiceResponse:
    """Say prompt `key` (about `service`), then put the caller in the service's queue."""
    response = VoiceResponse()
    prompts.speak(response, key, name=service.name_in(prompts.code))
    return _join_queue(response, urls, service)


def enqueue(
    prompts: Catalogue, urls: Urls, service: Service, *, fallback: bool = False
) -> VoiceResponse:
    """The caller's menu choice (or general advice after two misses) leads to its queue."""
    return enqueue_with(prompts, urls, service, "enqueue_fallback" if fallback else "enqueue")


def hold(
    prompts: Catalogue,
    settings: Settings,
    position: int | None,
    estimate_seconds: int | None,
    *,
    offer: str | None = None,
) -> VoiceResponse:
    """The waitUrl answer: position and estimated wait, the language offer (its action URL)
    when due, then hold music until the next poll."""
    response = VoiceResponse()
    if position:
        parts = [("position_next", {}) if position == 1 else ("position", {"position": position})]
        if estimate_seconds:
            parts.append(("estimate", {"minutes": prompts.minutes(estimate_seconds)}))
        prompts.speak_all(response, *parts, ("thanks_for_holding", {}))
    if offer is not None:
        gather = Gather(num_digits=1, action=offer, method="POST", timeout=LANGUAGE_OFFER_SECONDS)
        prompts.speak(gather, "language_offer", key=ANY_LANGUAGE_KEY)
        response.append(gather)
    if settings.hold_music_url:
        response.play(settings.hold_music_url)
    else:
        response.pause(length=settings.queue_announce_seconds)
    return response


def offer_accepted(prompts: Catalogue, settings: Settings) -> VoiceResponse:
    """The caller will take the next advisor in any language: say so and keep holding."""
    response = VoiceResponse()
    prompts.speak(response, "language_offer_accepted")
    if settings.hold_music_url:
        response.play(settings.hold_music_url)
    else:
        response.pause(length=settings.queue_announce_seconds)
    return response


def leave_queue(prompts: Catalogue) -> VoiceResponse:
    """Maximum wait reached: tell the caller and leave the queue (the result handler follows)."""
    response = VoiceResponse()
    prompts.speak(response, "max_wait")
    response.leave()
    return response


def gave_up_waiting(prompts: Catalogue) -> VoiceResponse:
    """After leaving the queue: signposting, then goodbye."""
    response = VoiceResponse()
    prompts.speak(response, "try_later")
    prompts.speak(response, "signposting")
    response.hangup()
    return response


def apology(prompts: Catalogue, settings: Settings, urls: Urls, general: Service) -> VoiceResponse:
    """Something went wrong on our side: apologise and keep the caller moving."""
    response = VoiceResponse()
    prompts.speak(response, "technical_problem")
    if settings.fallback_number:
        prompts.speak(response, "transferring_after_error")
        response.dial(settings.fallback_number)
        return response
    prompts.speak(response, "next_advisor_after_error")
    return _join_queue(response, urls, general)


def hold_after_error(settings: Settings) -> VoiceResponse:
    """A waitUrl that failed: keep the caller holding (only waitUrl verbs allowed here)."""
    response = VoiceResponse()
    response.pause(length=min(settings.queue_announce_seconds, 10))
    return response


def empty() -> VoiceResponse:
    """Nothing more to say (e.g. after the call was bridged)."""
    return VoiceResponse()
