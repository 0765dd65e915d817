"""The Flask application factory: a readable list of named steps.

Nothing is imported here at module level beyond the standard library, so a worker that
imports `app.domain` or `app.models` never loads Flask.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment (or `test_config["SETTINGS"]`)."""
    from flask import Flask

    from app.voice.fast_path import IncomingCallFastPath
    from app.web.limits import spare_twilio_webhooks
    from app.web.request import Request

    app = Flask(__name__, instance_relative_config=False)
    app.request_class = Request  # URL-encoded forms (every Twilio webhook) parsed in one step
    configure(app, test_config or {})
    register_extensions(app)
    register_blueprints(app)
    spare_twilio_webhooks(app)
    register_errorhandlers(app)
    register_commands(app)
    app.wsgi_app = IncomingCallFastPath(app, app.wsgi_app)  # type: ignore[method-assign]
    return app


def configure(app: Flask, overrides: dict[str, Any]) -> None:
    """Settings, services and opening hours, parsed once; bad configuration fails now."""
    from app.domain.opening_hours import parse_opening_hours
    from app.models.base import utcnow
    from app.voice.prompts import load_catalogues
    from config.services import load_services
    from config.settings import Settings, load_settings

    settings: Settings = overrides.pop("SETTINGS", None) or load_settings()
    app.config.update(
        SETTINGS=settings,
        SERVICES=load_services(settings.services_file),
        OPENING_HOURS=parse_opening_hours(settings.opening_hours, settings.special_hours),
        PROMPTS=load_catalogues(settings),
        CLOCK=utcnow,
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    app.config.update(overrides)
    for warning in settings.warnings:
        log.warning(warning)


def register_extensions(app: Flask) -> None:
    """Bind the database, CSRF protection and browser security to this app."""
    from app.db.session import close_request_session
    from app.extensions import csrf, db, limiter
    from app.web.security import register_security

    settings = app.config["SETTINGS"]
    db.configure(settings.database_url)
    app.teardown_appcontext(close_request_session)
    register_security(app)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.redis_url or "memory://")
    limiter.init_app(app)
    register_audit_key(app)


def register_audit_key(app: Flask) -> None:
    """The audit chain's keys come from this app's master key (derived once per purpose)."""
    from app.domain import audit
    from recordings.master_keys import load_master_key

    derived: dict[bytes, bytes] = {}

    def key(purpose: bytes) -> bytes:
        if purpose not in derived:
            derived[purpose] = load_master_key(app.config["SETTINGS"]).derived_key(purpose)
        return derived[purpose]

    audit.use_key_source(key)


def register_blueprints(app: Flask) -> None:
    """Twilio's webhooks, the staff API, the console, and the requesters' download links."""
    from app.api import bp as api_bp
    from app.console import bp as console_bp
    from app.extensions import csrf
    from app.public.access_link import bp as access_bp
    from app.public.access_request import bp as access_request_bp
    from app.voice import bp as voice_bp
    from app.web.converters import DatabaseIdConverter
    from app.web.health import bp as health_bp
    from app.web.metrics import bp as metrics_bp

    app.url_map.converters["int"] = DatabaseIdConverter  # a huge id is a 404, not an overflow
    for machine_facing in (voice_bp, api_bp):  # signed by Twilio, or a bearer token: no cookies
        csrf.exempt(machine_facing)
    app.register_blueprint(voice_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(console_bp)
    app.register_blueprint(access_bp)
    app.register_blueprint(access_request_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(metrics_bp)
    if app.config["SETTINGS"].twilio_sandbox:
        from app.dev.twilio_sandbox import bp as dev_twilio_bp

        csrf.exempt(dev_twilio_bp)
        app.register_blueprint(dev_twilio_bp)


def register_errorhandlers(app: Flask) -> None:
    """JSON errors, never a stack trace."""
    from app.web.errors import register_errorhandlers as register

    register(app)


def register_commands(app: Flask) -> None:
    """The operators' `flask --app wsgi …` commands."""
    from app.cli.commands import register

    register(app)
