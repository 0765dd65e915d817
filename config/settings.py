"""Settings read from the environment, with embedded defaults for a laptop.

One frozen object, built once per process by `load_settings()`. Production
(`APP_ENV=production`) refuses to start when anything it needs is missing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# DEV_*: dummy credentials for the embedded default; they sign the simulator's requests only.
from config.production import DEV_ACCOUNT_SID, DEV_AUTH_TOKEN, production_refusals

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_DIR = PROJECT_ROOT / "instance"

DEFAULT_ALLOWED_REGIONS = (
    "eu-west-2",
    "eu-west-1",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
)

REQUIRED_IN_PRODUCTION = (
    "DATABASE_URL",
    "REDIS_URL",
    "STORAGE_URL",
    "PUBLIC_BASE_URL",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "SECRET_KEY",
)


class SettingsError(RuntimeError):
    """The environment does not describe a runnable deployment."""


@dataclass(frozen=True)
class Settings:
    """Everything the product reads from its environment."""

    app_env: str = "development"
    instance_dir: Path = DEFAULT_INSTANCE_DIR
    database_url: str = ""
    redis_url: str | None = None
    storage_url: str = ""
    s3_endpoint_url: str | None = None
    aws_region: str | None = None
    storage_allowed_regions: tuple[str, ...] = DEFAULT_ALLOWED_REGIONS
    public_base_url: str = "http://127.0.0.1:5000"
    twilio_account_sid: str = DEV_ACCOUNT_SID
    twilio_auth_token: str = DEV_AUTH_TOKEN
    twilio_api_base_url: str = "https://api.twilio.com"
    twilio_sandbox: bool = False
    twilio_api_key_sid: str | None = None
    twilio_api_key_secret: str | None = None
    twilio_twiml_app_sid: str | None = None
    master_keyset: str | None = None
    master_keyset_file: Path | None = None
    recording_retention_months: int = 6
    privacy_alert_age_days: int = 30
    opening_hours: str = "08:00-22:00"
    special_hours: str = ""
    greeting_text: str = (
        "Thank you for calling Contact Cares, St Helens Council's adult social care, "
        "health and children's services."
    )
    recording_notice_text: str = (
        "Calls are recorded for training and quality purposes and to help us deal with "
        "complaints. If you do not want your call to be recorded, press star now, "
        "or tell the advisor when you are connected."
    )
    greeting_audio_url: str | None = None
    closed_message: str = (
        "Thank you for calling Contact Cares. Our lines are open from 8am to 10pm, "
        "seven days a week. We are closed at the moment."
    )
    signposting_message: str = (
        "If someone is in immediate danger, hang up and dial 999. For urgent adult or "
        "children's social care out of hours, please call the emergency duty team on "
        "0 1 7 4 4, 6 7 6, 7 6 7."
    )
    fallback_number: str | None = None
    services_file: Path | None = None
    hold_music_url: str | None = None
    queue_announce_seconds: int = 30
    queue_max_wait_seconds: int = 1800
    ring_timeout_seconds: int = 20
    wrap_up_seconds: int = 60
    token_ttl_hours: int = 12
    access_link_days: int = 7
    mp3_bitrate: str = "64k"
    voice: str = "Polly.Amy"
    language: str = "en-GB"
    # The staff console and sign-in (SPEC §14, §16).
    secret_key: str | None = None  # signs session cookies; embedded: generated in instance_dir
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    mfa_required_roles: tuple[str, ...] = ("supervisor", "records_officer", "admin")
    sign_in_address_limit: str = "30 per 5 minutes"  # per client address (Flask-Limiter)
    sign_in_account_limit: str = "20 per 15 minutes"  # per email tried
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    service_level_seconds: int = 60
    # The bilingual line (SPEC §13).
    languages: tuple[str, ...] = ("en",)
    default_language: str = "en"
    language_wait_offer_seconds: int = 120
    # Recordings replacing prompts: ((language, ((prompt, url), ...)), ...) from PROMPT_AUDIO.
    prompt_audio: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    # The citizens' form and mail to requesters (SPEC §15).
    smtp_url: str | None = None
    mail_from: str = "Contact Cares <no-reply@contact.example.gov.uk>"
    public_form_limit: str = "5 per hour"
    # Decrypted audio and unencrypted packages (0700); default: the instance folder's plaintext/.
    plaintext_workdir: Path | None = None
    # Hosts advisors' sip: endpoints may be on (none: no sip: endpoints, except in development).
    sip_domains: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_production(self) -> bool:
        """True when running with production refusals in force."""
        return self.app_env == "production"

    @property
    def oidc_enabled(self) -> bool:
        """True when single sign-on with the council's OpenID Connect provider is configured."""
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    @property
    def plaintext_root(self) -> Path:
        """Where jobs keep plaintext audio, each in a private directory of its own."""
        return self.plaintext_workdir or self.instance_dir / "plaintext"

    @property
    def embedded_queue(self) -> bool:
        """True when jobs run on an in-process fakeredis queue."""
        return not self.redis_url


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from exc


def _bounded(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    value = _int(env, name, default)
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, not {value}")
    return value


def _codes(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = env.get(name, "")
    codes = tuple(code.strip() for code in raw.split(",") if code.strip())
    return codes or default


def _prompt_audio(env: Mapping[str, str]) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """PROMPT_AUDIO: JSON {"cy": {"greeting": "https://…/croeso.mp3"}, …}."""
    raw = env.get("PROMPT_AUDIO", "").strip()
    if not raw:
        return ()
    try:
        found = json.loads(raw)
        return tuple(
            (str(code), tuple((str(k), str(v)) for k, v in prompts.items()))
            for code, prompts in found.items()
        )
    except (ValueError, AttributeError) as exc:
        raise SettingsError(
            'PROMPT_AUDIO must be JSON like {"cy": {"greeting": "https://…"}}'
        ) from exc


def _path(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name)
    return Path(raw) if raw else None


def _missing_in_production(env: Mapping[str, str]) -> list[str]:
    missing = [name for name in REQUIRED_IN_PRODUCTION if not env.get(name)]
    if not env.get("MASTER_KEYSET") and not env.get("MASTER_KEYSET_FILE"):
        missing.append("MASTER_KEYSET or MASTER_KEYSET_FILE")
    return missing


def sandbox_url(public_base_url: str) -> str:
    """Where the development sandbox plays Twilio's REST API."""
    return f"{public_base_url}/dev/twilio"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from `env` (default: the process environment)."""
    env = os.environ if env is None else env
    app_env = env.get("APP_ENV", "development")
    if app_env == "production":
        missing = _missing_in_production(env)
        if missing:
            raise SettingsError(
                "APP_ENV=production refuses to start without: " + ", ".join(missing)
            )
        if refused := production_refusals(env):
            raise SettingsError("APP_ENV=production refuses: " + "; ".join(refused))
    instance_dir = _path(env, "INSTANCE_DIR") or DEFAULT_INSTANCE_DIR
    public_base_url = (env.get("PUBLIC_BASE_URL") or Settings.public_base_url).rstrip("/")
    # No Twilio account on a laptop: the app plays Twilio's REST API itself (app/dev_twilio.py).
    sandbox = (
        app_env != "production"
        and not env.get("TWILIO_ACCOUNT_SID")
        and not env.get("TWILIO_API_BASE_URL")
    )
    warnings: list[str] = []
    if not env.get("TWILIO_AUTH_TOKEN"):
        warnings.append("TWILIO_AUTH_TOKEN is not set: using the development token.")
    regions = tuple(
        r.strip() for r in env.get("STORAGE_ALLOWED_REGIONS", "").split(",") if r.strip()
    )
    return Settings(
        app_env=app_env,
        instance_dir=instance_dir,
        database_url=env.get("DATABASE_URL") or f"sqlite:///{instance_dir / 'contact-line.db'}",
        redis_url=env.get("REDIS_URL") or None,
        storage_url=env.get("STORAGE_URL") or (instance_dir / "recordings").as_uri(),
        s3_endpoint_url=env.get("S3_ENDPOINT_URL") or None,
        aws_region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
        storage_allowed_regions=regions or DEFAULT_ALLOWED_REGIONS,
        public_base_url=public_base_url,
        twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or DEV_ACCOUNT_SID,
        twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or DEV_AUTH_TOKEN,
        twilio_api_base_url=sandbox_url(public_base_url)
        if sandbox
        else (env.get("TWILIO_API_BASE_URL") or Settings.twilio_api_base_url),
        twilio_sandbox=sandbox,
        twilio_api_key_sid=env.get("TWILIO_API_KEY_SID") or None,
        twilio_api_key_secret=env.get("TWILIO_API_KEY_SECRET") or None,
        twilio_twiml_app_sid=env.get("TWILIO_TWIML_APP_SID") or None,
        master_keyset=env.get("MASTER_KEYSET") or None,
        master_keyset_file=_path(env, "MASTER_KEYSET_FILE"),
        recording_retention_months=_int(env, "RECORDING_RETENTION_MONTHS", 6),
        privacy_alert_age_days=_int(env, "PRIVACY_ALERT_AGE_DAYS", 30),
        opening_hours=env.get("OPENING_HOURS") or Settings.opening_hours,
        special_hours=env.get("SPECIAL_HOURS", ""),
        greeting_text=env.get("GREETING_TEXT") or Settings.greeting_text,
        recording_notice_text=env.get("RECORDING_NOTICE_TEXT") or Settings.recording_notice_text,
        greeting_audio_url=env.get("GREETING_AUDIO_URL") or None,
        closed_message=env.get("CLOSED_MESSAGE") or Settings.closed_message,
        signposting_message=env.get("SIGNPOSTING_MESSAGE") or Settings.signposting_message,
        fallback_number=env.get("FALLBACK_NUMBER") or None,
        services_file=_path(env, "SERVICES_FILE"),
        hold_music_url=env.get("HOLD_MUSIC_URL") or None,
        queue_announce_seconds=_int(env, "QUEUE_ANNOUNCE_SECONDS", 30),
        queue_max_wait_seconds=_int(env, "QUEUE_MAX_WAIT_SECONDS", 1800),
        ring_timeout_seconds=_int(env, "RING_TIMEOUT_SECONDS", 20),
        wrap_up_seconds=_int(env, "WRAP_UP_SECONDS", 60),
        token_ttl_hours=_bounded(env, "TOKEN_TTL_HOURS", 12, 1, 24),
        access_link_days=_int(env, "ACCESS_LINK_DAYS", 7),
        mp3_bitrate=env.get("MP3_BITRATE") or "64k",
        secret_key=env.get("SECRET_KEY") or None,
        session_idle_minutes=_bounded(env, "SESSION_IDLE_MINUTES", 30, 1, 720),
        session_max_hours=_bounded(env, "SESSION_MAX_HOURS", 12, 1, 24),
        mfa_required_roles=_codes(env, "MFA_REQUIRED_ROLES", Settings.mfa_required_roles),
        sign_in_address_limit=env.get("SIGN_IN_ADDRESS_LIMIT") or Settings.sign_in_address_limit,
        sign_in_account_limit=env.get("SIGN_IN_ACCOUNT_LIMIT") or Settings.sign_in_account_limit,
        oidc_issuer=env.get("OIDC_ISSUER") or None,
        oidc_client_id=env.get("OIDC_CLIENT_ID") or None,
        oidc_client_secret=env.get("OIDC_CLIENT_SECRET") or None,
        service_level_seconds=_int(env, "SERVICE_LEVEL_SECONDS", 60),
        languages=_codes(env, "LANGUAGES", ("en",)),
        default_language=env.get("DEFAULT_LANGUAGE") or "en",
        language_wait_offer_seconds=_int(env, "LANGUAGE_WAIT_OFFER_SECONDS", 120),
        prompt_audio=_prompt_audio(env),
        smtp_url=env.get("SMTP_URL") or None,
        mail_from=env.get("MAIL_FROM") or Settings.mail_from,
        public_form_limit=env.get("PUBLIC_FORM_LIMIT") or Settings.public_form_limit,
        plaintext_workdir=_path(env, "PLAINTEXT_WORKDIR"),
        sip_domains=tuple(
            d.strip().lower() for d in env.get("SIP_DOMAINS", "").split(",") if d.strip()
        ),
        warnings=tuple(warnings),
    )
