"""Operators' commands: `flask --app wsgi db|staff|audit|keys|serve|simulate-call …`."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from werkzeug.serving import run_simple

from app.db import upgrade
from app.domain import audit, desk
from app.domain import staff as auth
from app.domain import staff_lifecycle as lifecycle
from app.domain.audit_anchor import check_anchor
from app.domain.endpoint_policy import EndpointPolicy
from app.domain.sign_in import WeakPassword, check_password_policy
from app.extensions import db
from app.models import Role, utcnow
from app.web.runtime import app_runtime
from config.settings import sandbox_url

db_cli = AppGroup("db", help="Database schema.")
staff_cli = AppGroup("staff", help="Staff accounts and tokens.")
audit_cli = AppGroup("audit", help="The audit log.")


def _settings():  # noqa: ANN202
    return current_app.config["SETTINGS"]


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration."""
    upgrade(_settings().database_url)
    click.echo("database is up to date")


def _checked(rule, value, hint: str):  # noqa: ANN001, ANN202
    """A domain rule's result; its refusal as a bad option."""
    try:
        return rule(value)
    except (lifecycle.InvalidStaffField, WeakPassword) as exc:
        raise click.BadParameter(str(exc), param_hint=hint) from exc


def _skills(value: str | None) -> list[str]:
    codes = [s.code for s in current_app.config["SERVICES"]]
    skills = [s.strip() for s in (value or "").split(",") if s.strip()]
    return _checked(lambda v: lifecycle.skills_of(v, codes), skills, "--skills")


def _languages(value: str) -> list[str]:
    codes = [c.strip() for c in value.split(",") if c.strip()]
    return _checked(lifecycle.languages_of, codes, "--languages")


@staff_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", default="")
@click.option("--skills", default=None, help="Comma-separated service codes (advisors).")
@click.option("--endpoint", default=None, help="client:NAME, sip:… or an E.164 number.")
@click.option("--languages", default="en", show_default=True, help="Languages spoken, e.g. cy,en.")
@click.option("--no-records-calls", is_flag=True, help="This advisor's calls are not recorded.")
@click.option("--password", default=None, help="Omit to create an account that signs in by token.")
def staff_create(
    email: str,
    role: str,
    name: str,
    skills: str | None,
    endpoint: str | None,
    languages: str,
    no_records_calls: bool,
    password: str | None,
) -> None:
    """Create a member of staff (a password: at least 12 characters, not a common one)."""
    profile = {
        "name": name or email.split("@")[0],
        "skills": _skills(skills),
        "endpoint": _checked(
            lambda v: lifecycle.endpoint_of(v, EndpointPolicy.from_settings(_settings())),
            endpoint,
            "--endpoint",
        ),
        "languages": _languages(languages),
        "records_calls": not no_records_calls,
    }
    if password is not None:
        _checked(check_password_policy, password, "--password")
    with db.transaction() as session:
        try:
            staff = lifecycle.create_staff(
                session, email=email, role=role, actor=audit.SYSTEM, password=password, **profile
            )
        except lifecycle.EmailTaken as exc:
            raise click.ClickException(f"{email} already exists") from exc
        click.echo(f"created {role} {email} (id {staff.id})")


@staff_cli.command("deactivate")
@click.argument("email")
def staff_deactivate(email: str) -> None:
    """Deactivate EMAIL for good: their console sessions and API tokens end at once."""
    with db.transaction() as session:
        staff = auth.staff_by_email(session, email)
        if staff is None:
            raise click.ClickException(f"no staff member {email}")
        try:
            lifecycle.deactivate(session, staff, utcnow(), actor=audit.SYSTEM)
        except lifecycle.AlreadyDeactivated as exc:
            raise click.ClickException(f"{email} is already deactivated") from exc
        click.echo(f"deactivated {staff.role} {email}: sessions and tokens ended")


@staff_cli.command("status")
@click.argument("email")
@click.argument("status", type=click.Choice(["available", "offline"]))
def staff_status(email: str, status: str) -> None:
    """Set an advisor available or offline, exactly as PUT /api/me/status does."""
    with db.transaction() as session:
        staff = auth.staff_by_email(session, email)
        if staff is None or staff.role != Role.ADVISOR:
            raise click.ClickException(f"no advisor {email}")
        try:  # the same rule as the API and the desk: available means matched at once
            desk.set_status(session, _settings(), staff, status, current_app.config["CLOCK"]())
        except desk.DeskError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"{email} is {status}")


@staff_cli.command("token")
@click.argument("email")
def staff_token(email: str) -> None:
    """Print a new bearer token for EMAIL."""
    with db.transaction() as session:
        staff = auth.staff_by_email(session, email)
        if staff is None:
            raise click.ClickException(f"no staff member {email}")
        token, _ = auth.issue_token(session, staff, timedelta(hours=_settings().token_ttl_hours))
        click.echo(token)


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check every link of the audit chain."""
    with db.transaction() as session:
        report = audit.verify_chain(session)
        anchored = check_anchor(session, app_runtime().storage)
    if not report.ok:
        raise click.ClickException(
            f"audit chain BROKEN at entry {report.broken_at}: {report.problem} "
            f"({report.entries} entries read)"
        )
    if anchored.problem is not None:
        raise click.ClickException(f"audit chain does not match its anchor: {anchored.problem}")
    where = f"anchored at entry {anchored.seq}" if anchored.seq is not None else "no anchor yet"
    click.echo(f"audit chain intact: {report.entries} entries ({where})")


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def serve(host: str, port: int) -> None:
    """Run the web app with an in-process worker (embedded defaults, for a laptop)."""
    from app.integrations.queue import start_embedded_worker

    settings = _settings()
    if not os.environ.get("PUBLIC_BASE_URL"):  # a laptop: Twilio (the simulator) calls us here
        base = f"http://{host}:{port}"
        settings = replace(settings, public_base_url=base)
        if settings.twilio_sandbox:
            settings = replace(settings, twilio_api_base_url=sandbox_url(base))
        current_app.config["SETTINGS"] = settings
    if settings.embedded_queue:
        from app.runtime import Runtime, use_runtime

        use_runtime(Runtime(settings))  # jobs in this process use the app's settings
        start_embedded_worker(settings)
        click.echo("jobs run in this process (no REDIS_URL set)")
    base = settings.public_base_url
    click.echo(
        f"Give Twilio these URLs:\n  Voice URL:       POST {base}/twilio/voice\n"
        f"  Status callback: POST {base}/twilio/call-status\n"
        f"Staff console: {base}/console/"
    )
    run_simple(host, port, current_app._get_current_object(), threaded=True)  # noqa: SLF001


def register(app: Flask) -> None:
    """Attach every command group to `app`."""
    from app.cli.keys import keys_cli
    from app.cli.retention import retention_cli
    from app.dev.simulator import simulate_call

    for command in (db_cli, staff_cli, audit_cli, keys_cli, retention_cli, serve, simulate_call):
        app.cli.add_command(command)
