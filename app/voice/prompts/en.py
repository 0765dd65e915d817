"""English words of the phone line (SPEC §4, §13): one template per prompt.

GREETING_TEXT, RECORDING_NOTICE_TEXT, CLOSED_MESSAGE and SIGNPOSTING_MESSAGE (config.settings)
override the entries of the same meaning, and VOICE/LANGUAGE its voice, so an English-only line
says exactly what it always said.
"""

from __future__ import annotations

LANGUAGE_TAG = "en-GB"
VOICE = "Polly.Amy"
NAME = "English"
REVIEWED = True

TEXTS: dict[str, str] = {
    # Opening, language choice and recording notice.
    "greeting": (
        "Thank you for calling Contact Cares, St Helens Council's adult social care, "
        "health and children's services."
    ),
    "choose_language": "To continue in English, press {key}.",
    "recording_notice": (
        "Calls are recorded for training and quality purposes and to help us deal with "
        "complaints. If you do not want your call to be recorded, press star now, "
        "or tell the advisor when you are connected."
    ),
    "opted_out": "Thank you. Your call will not be recorded.",
    # The service menu.
    "menu_intro": "Please choose from the following options.",
    "menu_option": "For {name}, press {key}.",
    "menu_retry": "Sorry, that was not one of the options.",
    "enqueue": "Thank you. Connecting you to {name}. Please hold.",
    "enqueue_fallback": "I will put you through to an advisor for general advice.",
    # Waiting.
    "position_next": "You are next in the queue.",
    "position": "You are number {position} in the queue.",
    "estimate": "Your estimated wait is about {minutes}.",
    "minute": "1 minute",
    "minutes": "{count} minutes",
    "thanks_for_holding": "Thank you for holding.",
    "language_offer": (
        "No advisor who speaks your language is free at the moment. To keep waiting, "
        "stay on the line. To speak to the next available advisor in any language, press {key}."
    ),
    "language_offer_accepted": "Thank you. You will be put through to the next available advisor.",
    "max_wait": "We are sorry, all our advisors are still busy.",
    "try_later": "Please try again later.",
    # Out of hours and signposting.
    "closed": (
        "Thank you for calling Contact Cares. Our lines are open from 8am to 10pm, "
        "seven days a week. We are closed at the moment."
    ),
    "signposting": (
        "If someone is in immediate danger, hang up and dial 999. For urgent adult or "
        "children's social care out of hours, please call the emergency duty team on "
        "0 1 7 4 4, 6 7 6, 7 6 7."
    ),
    # Connecting, transfers, apologies, goodbye.
    "connecting": "Connecting you to an advisor.",
    "advisor_unavailable": (
        "Sorry, that advisor is not available. Please hold, you are at the front of the queue."
    ),
    "transfer_to_service": "Please hold while we transfer you to {name}.",
    "technical_problem": "Sorry, we are having a technical problem.",
    "transferring_after_error": "Please hold while we transfer you.",
    "next_advisor_after_error": "Please hold for the next available advisor.",
    "goodbye": "Thank you for calling Contact Cares. Goodbye.",
}
