"""The caller's language inside a webhook: which catalogue speaks to them (SPEC §13)."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.languages import fallback_language, single_language
from app.models import Call
from app.voice.prompts import Catalogue
from config.settings import Settings


def _settings() -> Settings:
    return current_app.config["SETTINGS"]  # type: ignore[no-any-return]


def catalogues() -> dict[str, Catalogue]:
    """Every catalogue the line has, by language code."""
    return current_app.config["PROMPTS"]  # type: ignore[no-any-return]


def line() -> list[Catalogue]:
    """The line's languages in LANGUAGES order (Welsh first on a Welsh council's line)."""
    return [catalogues()[code] for code in _settings().languages]


def is_bilingual() -> bool:
    """Whether callers choose their language."""
    return single_language(_settings().languages) is None


def _use(code: str) -> Catalogue:
    g.voice_language = code  # the error handler speaks the same language
    return catalogues()[code]


def prompts_for(call: Call | None) -> Catalogue:
    """The catalogue for this call: the line's one language, the chosen one, or the default."""
    return prompts_in(call.language if call is not None else None)


def prompts_in(chosen: str | None) -> Catalogue:
    """The catalogue for a caller who chose `chosen` (None: not yet, or not asked)."""
    settings = _settings()
    code = single_language(settings.languages) or chosen
    if code not in catalogues():
        code = fallback_language(settings.languages, settings.default_language)
    return _use(code)


def prompts_for_sid(session: Session, call_sid: str | None) -> Catalogue:
    """The catalogue for the call with this SID, read only when the line has several languages."""
    if not is_bilingual() or not call_sid:
        return prompts_in(None)
    code = session.scalar(select(Call.language).where(Call.call_sid == call_sid))
    return prompts_in(code)


def prompts_after_error() -> Catalogue:
    """The language this request was speaking before it failed, or the line's default."""
    code = g.get("voice_language")
    return catalogues()[code] if code in catalogues() else prompts_in(None)
