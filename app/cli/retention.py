"""`flask --app wsgi retention run|report`: the retention sweep now, and its figures."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from app.domain.reports import retention_report
from app.extensions import db

retention_cli = AppGroup("retention", help="Recording retention and legal holds.")


@retention_cli.command("run")
@click.option("--quiet", is_flag=True, help="Print the counts only, not every sid.")
def retention_run(quiet: bool) -> None:
    """Delete what is due now (the periodic job, in the foreground) and print what was done."""
    from app.runtime import Runtime
    from workers.retention import retention_sweep

    runtime = Runtime(current_app.config["SETTINGS"], clock=current_app.config["CLOCK"])
    try:
        summary = retention_sweep(runtime, current_app.config["CLOCK"]())
    finally:
        runtime.close()
    if not quiet:
        for sid in summary.deleted:
            click.echo(f"deleted recording {sid}")
        for sid in summary.twilio_copies_deleted + summary.twilio_unknown_deleted:
            click.echo(f"deleted Twilio copy {sid}")
        for sid in summary.ingest_enqueued:
            click.echo(f"enqueued ingest of {sid} (unknown to us, still within retention)")
    for name, value in summary.counts().items():
        click.echo(f"{name}: {value}")
    if summary.failures:
        raise click.ClickException(
            f"{len(summary.failures)} deletions failed (the next run retries them): "
            + ", ".join(summary.failures[:10])
        )


@retention_cli.command("report")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def retention_report_command(as_json: bool) -> None:
    """Recordings stored, held, due and overdue, deletions per day, and calls by language."""
    with db.transaction() as session:
        report = retention_report(session, current_app.config["CLOCK"](), languages=True)
    body = report.as_json()
    if as_json:
        click.echo(json.dumps(body, indent=2))
        return
    for name in ("at", "stored", "held", "held_past_due", "due", "overdue", "oldest_due"):
        click.echo(f"{name}: {body[name]}")
    click.echo("deletions per day (UTC): date recordings twilio_copies calls_anonymised")
    for day in body["deletions_per_day"]:
        if day["recordings"] or day["twilio_copies"] or day["calls_anonymised"]:
            click.echo(
                f"  {day['date']} {day['recordings']} {day['twilio_copies']} "
                f"{day['calls_anonymised']}"
            )
    by_language = body["calls_by_language"]
    calls = ", ".join(f"{c['language'] or 'not chosen'}: {c['calls']}" for c in by_language)
    click.echo(f"calls by language (same days): {calls or 'no calls'}")
    if report.overdue:
        raise click.ClickException(f"{report.overdue} recordings are overdue for deletion")
