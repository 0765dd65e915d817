"""GET/POST /access-request/… and /cy/access-request/…: question pages, check, confirmation.

Views stay thin: answers live in the session (answers.py), rules in forms.py and the domain.
The pages never say whether any call matched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError

from app.db.session import request_session
from app.domain.online_requests import CONFIRMATION_JOB, submit_online
from app.extensions import limiter
from app.integrations.queue import enqueue
from app.public.access_request import answers as given
from app.public.access_request import bp
from app.public.access_request.forms import HONEYPOT, MAX_PHONES, STEPS
from app.public.text import catalogue
from recordings.subject_access import london_today

log = logging.getLogger(__name__)
OTHER = {"en": "cy", "cy": "en"}


def _route(rule: str, **options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Serve the view at `rule` in English and at /cy + `rule` in Welsh."""

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        bp.add_url_rule(rule, view_func=view, defaults={"lang": "en"}, **options)
        bp.add_url_rule("/cy" + rule, view_func=view, defaults={"lang": "cy"}, **options)
        return view

    return register


def _lang() -> str:
    return (request.view_args or {}).get("lang", "en")


def _today() -> date:
    return london_today(current_app.config["CLOCK"]())


@bp.context_processor
def _page_words() -> dict[str, Any]:
    lang = _lang()
    args = {**(request.view_args or {}), **request.args.to_dict(), "lang": OTHER[lang]}
    other_url = url_for(request.endpoint, **args) if request.endpoint else None
    return {"t": catalogue(lang), "lang": lang, "page_language": lang, "other_url": other_url}


def _page(status: int, title: str, message: str) -> tuple[str, int]:
    text = catalogue(_lang())
    body = render_template("public/message.html", title=text[title], message=text[message])
    return body, status


@bp.errorhandler(429)
def _too_many(_exc: Exception) -> tuple[str, int]:
    return _page(429, "limit_title", "limit_message")


@bp.errorhandler(CSRFError)
def _expired(_exc: Exception) -> tuple[str, int]:
    return _page(400, "csrf_title", "csrf_message")


@bp.errorhandler(404)
def _not_found(_exc: Exception) -> tuple[str, int]:
    return _page(404, "not_found_title", "not_found_message")


def _rejected() -> tuple[str, int]:
    """A filled honeypot: refuse, write nothing, say nothing more."""
    log.info("access-request form: honeypot filled, submission refused")
    return _page(400, "rejected_title", "rejected_message")


@_route("/access-request")
def start(lang: str) -> str:
    """The start page: what the citizen needs, and a button."""
    return render_template("public/start.html")


def _next_step(step: str, answers: dict[str, Any]) -> str:
    if request.args.get("change"):
        missing = given.first_unanswered(answers, _today())
        return url_for(".step", step=missing, lang=_lang()) if missing else url_for(".check")
    order = given.steps(answers)
    after = order[order.index(step) + 1 :]
    return (
        url_for(".step", step=after[0], lang=_lang()) if after else url_for(".check", lang=_lang())
    )


def _step_page(step: str, form: dict[str, str], errors: dict[str, str], status: int = 200):  # noqa: ANN202
    order = given.steps(given.all_answers())
    back = order[order.index(step) - 1] if order.index(step) else None
    if step == "language" and not form.get("language"):
        form = {**form, "language": _lang()}
    phones = sum(1 for n in range(1, MAX_PHONES + 1) if form.get(f"phone-{n}"))
    if step == "phone-numbers" and request.form.get("action") == "add" and not errors:
        phones += 1
    page = render_template(
        f"public/steps/{step}.html",
        step=step,
        form=form,
        errors=errors,
        back=url_for(".step", step=back, lang=_lang()) if back else url_for(".start", lang=_lang()),
        phone_count=min(max(phones, 1), MAX_PHONES),
        change=request.args.get("change"),
    )
    return page, status


@_route("/access-request/<step>", methods=["GET", "POST"])
def step(lang: str, step: str):  # noqa: ANN201
    """One question page: show it with the answers so far; check and keep what is posted."""
    if step not in STEPS:
        abort(404)
    answers = given.all_answers()
    if step not in given.steps(answers):
        return redirect(url_for(".step", step="who", lang=lang))
    if request.method == "GET":
        return _step_page(step, given.as_form(step, answers.get(step, {})), {})
    if request.form.get(HONEYPOT):
        return _rejected()
    checked = STEPS[step](request.form, _today())
    if checked.errors:
        return _step_page(step, request.form.to_dict(), checked.errors, 400)
    given.save(step, checked.answers)
    if step == "phone-numbers" and request.form.get("action") == "add":
        return _step_page(step, request.form.to_dict(), {})
    return redirect(_next_step(step, given.all_answers()))


@_route("/access-request/check", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SETTINGS"].public_form_limit, methods=["POST"])
def check(lang: str):  # noqa: ANN201
    """Check your answers; sending registers the request (once, however often it is sent)."""
    answers = given.all_answers()
    missing = given.first_unanswered(answers, _today())
    if missing is not None:
        return redirect(url_for(".step", step=missing, lang=lang))
    if request.method == "GET":
        return render_template("public/check.html", answers=answers)
    if request.form.get(HONEYPOT):
        return _rejected()
    db_session = request_session()
    item, created = submit_online(
        db_session, given.new_request(answers, _today()), now=current_app.config["CLOCK"]()
    )
    db_session.commit()
    if created:
        _send_confirmation(item.id, item.contact_email)
    session[given.DONE_KEY] = {"reference": item.reference, "email": bool(item.contact_email)}
    given.clear()
    return redirect(url_for(".confirmation", lang=lang))


def _send_confirmation(request_id: int, email: str | None) -> None:
    settings = current_app.config["SETTINGS"]
    if email and settings.smtp_url:
        enqueue(settings, CONFIRMATION_JOB, request_id, job_id=f"confirmation-{request_id}")


@_route("/access-request/confirmation")
def confirmation(lang: str):  # noqa: ANN201
    """The reference and what happens next."""
    done = session.get(given.DONE_KEY)
    if not isinstance(done, dict):
        return redirect(url_for(".start", lang=lang))
    return render_template("public/confirmation.html", done=done)
