"""Welsh words of the phone line (SPEC §13): one template per prompt, as the English ones.

REFERENCE WORDING, NOT YET REVIEWED: written by the product team so that the line works in
Welsh from day one. The council's translators must review every entry (and may replace any
prompt with a recording: PROMPT_AUDIO) before the line goes live; set REVIEWED = True then.
"""

from __future__ import annotations

LANGUAGE_TAG = "cy-GB"
VOICE = "Polly.Gwyneth"  # Amazon Polly's Welsh voice; Twilio refuses other cy-GB pairings
NAME = "Cymraeg"
REVIEWED = False  # for review by the council's translators

TEXTS: dict[str, str] = {
    # Opening, language choice and recording notice.
    "greeting": (
        "Diolch am ffonio Contact Cares, gwasanaethau gofal cymdeithasol i oedolion, "
        "iechyd a phlant Cyngor St Helens. Mae gwasanaeth Cymraeg ar gael."
    ),
    "choose_language": "I barhau yn Gymraeg, pwyswch {key}.",
    "recording_notice": (
        "Rydym yn recordio galwadau at ddibenion hyfforddiant ac ansawdd ac i'n helpu i ymdrin "
        "â chwynion. Os nad ydych am i'ch galwad gael ei recordio, pwyswch seren nawr, "
        "neu dywedwch wrth yr ymgynghorydd pan fyddwch wedi'ch cysylltu."
    ),
    "opted_out": "Diolch. Ni fydd eich galwad yn cael ei recordio.",
    # The service menu.
    "menu_intro": "Dewiswch o'r opsiynau canlynol.",
    "menu_option": "Ar gyfer {name}, pwyswch {key}.",
    "menu_retry": "Mae'n ddrwg gennym, nid oedd hynny'n un o'r opsiynau.",
    "enqueue": "Diolch. Rydym yn eich cysylltu â {name}. Arhoswch ar y lein, os gwelwch yn dda.",
    "enqueue_fallback": "Byddaf yn eich trosglwyddo i ymgynghorydd am gyngor cyffredinol.",
    # Waiting.
    "position_next": "Chi sydd nesaf yn y ciw.",
    "position": "Rydych chi'n rhif {position} yn y ciw.",
    "estimate": "Bydd rhaid i chi aros tua {minutes}.",
    "minute": "1 munud",
    "minutes": "{count} munud",
    "thanks_for_holding": "Diolch am aros.",
    "language_offer": (
        "Nid oes ymgynghorydd sy'n siarad Cymraeg ar gael ar hyn o bryd. I barhau i aros am "
        "ymgynghorydd Cymraeg, arhoswch ar y lein. I siarad â'r ymgynghorydd nesaf sydd ar gael "
        "yn Saesneg, pwyswch {key}."
    ),
    "language_offer_accepted": (
        "Diolch. Byddwn yn eich cysylltu â'r ymgynghorydd nesaf sydd ar gael, yn Saesneg."
    ),
    "max_wait": "Mae'n ddrwg gennym, mae ein hymgynghorwyr i gyd yn dal yn brysur.",
    "try_later": "Rhowch gynnig arall arni yn nes ymlaen, os gwelwch yn dda.",
    # Out of hours and signposting.
    "closed": (
        "Diolch am ffonio Contact Cares. Mae ein llinellau ar agor o 8 y bore tan 10 y nos, "
        "saith diwrnod yr wythnos. Rydym ar gau ar hyn o bryd."
    ),
    "signposting": (
        "Os yw rhywun mewn perygl uniongyrchol, rhowch y ffôn i lawr a ffoniwch 999. Ar gyfer "
        "gofal cymdeithasol brys i oedolion neu blant y tu allan i oriau, ffoniwch y tîm "
        "dyletswydd brys ar 0 1 7 4 4, 6 7 6, 7 6 7."
    ),
    # Connecting, transfers, apologies, goodbye.
    "connecting": "Rydym yn eich cysylltu ag ymgynghorydd.",
    "advisor_unavailable": (
        "Mae'n ddrwg gennym, nid yw'r ymgynghorydd hwnnw ar gael. Arhoswch ar y lein, "
        "rydych chi ar flaen y ciw."
    ),
    "transfer_to_service": "Arhoswch ar y lein tra byddwn yn eich trosglwyddo i {name}.",
    "technical_problem": "Mae'n ddrwg gennym, mae gennym broblem dechnegol.",
    "transferring_after_error": "Arhoswch ar y lein tra byddwn yn eich trosglwyddo.",
    "next_advisor_after_error": "Arhoswch ar y lein am yr ymgynghorydd nesaf sydd ar gael.",
    "goodbye": "Diolch am ffonio Contact Cares. Hwyl fawr.",
}
