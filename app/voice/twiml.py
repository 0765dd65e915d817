"""TwiML for each step of the call flow, built with VoiceResponse (SPEC §4)."""

from __future__ import annotations

from collections.abc import Sequence

from twilio.twiml.voice_response import Gather, VoiceResponse

from config.services import Service
from config.settings import Settings

MAX_MENU_ATTEMPTS = 2


class Urls:
    """Absolute URLs of our own webhooks, as Twilio must call them."""

    def __init__(self, base: str) -> None:
        self.base = base

    def __call__(self, path: str) -> str:
        return f"{self.base}/twilio/{path}"


def _say(node: VoiceResponse | Gather, text: str, settings: Settings) -> None:
    node.say(text, voice=settings.voice, language=settings.language)


def closed(settings: Settings) -> VoiceResponse:
    """Out of hours: the closed message, signposting, goodbye."""
    response = VoiceResponse()
    _say(response, settings.closed_message, settings)
    _say(response, settings.signposting_message, settings)
    response.hangup()
    return response


def greeting(settings: Settings, urls: Urls) -> VoiceResponse:
    """The greeting and recording notice; star during it opts out of recording."""
    response = VoiceResponse()
    gather = Gather(num_digits=1, action=urls("notice"), method="POST", timeout=1)
    if settings.greeting_audio_url:
        gather.play(settings.greeting_audio_url)
    else:
        _say(gather, settings.greeting_text, settings)
        _say(gather, settings.recording_notice_text, settings)
    response.append(gather)
    response.redirect(urls("menu?attempt=1"), method="POST")
    return response


def opted_out(settings: Settings, urls: Urls, next_path: str) -> VoiceResponse:
    """Confirm the opt-out, then carry on where the caller was."""
    response = VoiceResponse()
    _say(response, "Thank you. Your call will not be recorded.", settings)
    response.redirect(urls(next_path), method="POST")
    return response


def menu_prompt(services: Sequence[Service]) -> str:
    """The spoken menu, keys 1-9 first and 0 last."""
    ordered = sorted(services, key=lambda s: (s.key == "0", s.key))
    options = " ".join(f"For {s.name}, press {s.key}." for s in ordered)
    return f"Please choose from the following options. {options}"


def menu(
    settings: Settings, urls: Urls, services: Sequence[Service], attempt: int
) -> VoiceResponse:
    """The service menu; no input falls through to the choice handler with no digits."""
    response = VoiceResponse()
    gather = Gather(
        num_digits=1, action=urls(f"menu/choice?attempt={attempt}"), method="POST", timeout=6
    )
    _say(gather, menu_prompt(services), settings)
    response.append(gather)
    response.redirect(urls(f"menu/choice?attempt={attempt}"), method="POST")
    return response


def menu_retry(settings: Settings, urls: Urls, attempt: int) -> VoiceResponse:
    """No or invalid input: say so and repeat the menu once."""
    response = VoiceResponse()
    _say(response, "Sorry, that was not one of the options.", settings)
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


def enqueue_with(settings: Settings, urls: Urls, service: Service, text: str) -> VoiceResponse:
    """Say `text`, then put the caller in the service's queue with our wait and result handlers."""
    response = VoiceResponse()
    _say(response, text, settings)
    return _join_queue(response, urls, service)


def enqueue(
    settings: Settings, urls: Urls, service: Service, *, fallback: bool = False
) -> VoiceResponse:
    """The caller's menu choice (or general advice after two misses) leads to its queue."""
    if fallback:
        return enqueue_with(
            settings, urls, service, "I will put you through to an advisor for general advice."
        )
    return enqueue_with(
        settings, urls, service, f"Thank you. Connecting you to {service.name}. Please hold."
    )


def _minutes(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def hold(settings: Settings, position: int | None, estimate_seconds: int | None) -> VoiceResponse:
    """The waitUrl answer: position and estimated wait, then hold music until the next poll."""
    response = VoiceResponse()
    if position:
        text = (
            "You are next in the queue."
            if position == 1
            else (f"You are number {position} in the queue.")
        )
        if estimate_seconds:
            text += f" Your estimated wait is about {_minutes(estimate_seconds)}."
        _say(response, text + " Thank you for holding.", settings)
    if settings.hold_music_url:
        response.play(settings.hold_music_url)
    else:
        response.pause(length=settings.queue_announce_seconds)
    return response


def leave_queue(settings: Settings) -> VoiceResponse:
    """Maximum wait reached: tell the caller and leave the queue (the result handler follows)."""
    response = VoiceResponse()
    _say(response, "We are sorry, all our advisors are still busy.", settings)
    response.leave()
    return response


def gave_up_waiting(settings: Settings) -> VoiceResponse:
    """After leaving the queue: signposting, then goodbye."""
    response = VoiceResponse()
    _say(response, "Please try again later.", settings)
    _say(response, settings.signposting_message, settings)
    response.hangup()
    return response


def apology(settings: Settings, urls: Urls, general: Service) -> VoiceResponse:
    """Something went wrong on our side: apologise and keep the caller moving."""
    response = VoiceResponse()
    _say(response, "Sorry, we are having a technical problem.", settings)
    if settings.fallback_number:
        _say(response, "Please hold while we transfer you.", settings)
        response.dial(settings.fallback_number)
        return response
    _say(response, "Please hold for the next available advisor.", settings)
    return _join_queue(response, urls, general)


def hold_after_error(settings: Settings) -> VoiceResponse:
    """A waitUrl that failed: keep the caller holding (only waitUrl verbs allowed here)."""
    response = VoiceResponse()
    response.pause(length=min(settings.queue_announce_seconds, 10))
    return response


def empty() -> VoiceResponse:
    """Nothing more to say (e.g. after the call was bridged)."""
    return VoiceResponse()
