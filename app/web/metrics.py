"""GET /metrics: Prometheus figures computed from the database at scrape time.

Computing at scrape time (rather than counting in each process) keeps the figures right
with any number of web and worker processes, and costs a few indexed queries a scrape.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from flask import Blueprint, Response, current_app
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.reports import retention_report
from app.extensions import db
from app.models import AccessRequest, Call, Recording, RecordingStatus, RequestStatus
from recordings.subject_access import DUE_SOON_WITHIN, london_today

bp = Blueprint("metrics", __name__)
WINDOW = timedelta(hours=24)


def _calls_by_outcome(session: Session, now: datetime) -> Iterator[Metric]:
    metric = GaugeMetricFamily(
        "contact_calls_last_24h", "Calls started in the last 24 hours", labels=["outcome"]
    )
    rows = session.execute(
        select(func.coalesce(Call.outcome, "in_progress"), func.count())
        .where(Call.started_at >= now - WINDOW)
        .group_by(Call.outcome)
    )
    for outcome, count in rows:
        metric.add_metric([outcome], count)
    yield metric


def _queue_wait(session: Session, now: datetime) -> Iterator[Metric]:
    metric = GaugeMetricFamily(
        "contact_queue_wait_seconds_last_24h",
        "Queue wait of callers who left a queue in the last 24 hours",
        labels=["service", "stat"],
    )
    rows = session.execute(
        select(
            Call.service_code, func.avg(Call.queue_wait_seconds), func.max(Call.queue_wait_seconds)
        )
        .where(Call.dequeued_at >= now - WINDOW)
        .group_by(Call.service_code)
    )
    for service, mean, longest in rows:
        metric.add_metric([service or "none", "mean"], float(mean or 0))
        metric.add_metric([service or "none", "max"], float(longest or 0))
    yield metric


def _recordings(session: Session, now: datetime) -> Iterator[Metric]:
    by_status = GaugeMetricFamily("contact_recordings", "Recordings by status", labels=["status"])
    counts = dict(
        session.execute(select(Recording.status, func.count()).group_by(Recording.status)).all()
    )
    for status in RecordingStatus:
        by_status.add_metric([status.value], counts.get(status.value, 0))
    yield by_status
    retrying = session.scalar(
        select(func.count()).where(
            Recording.status == RecordingStatus.PENDING, Recording.ingest_attempts > 0
        )
    )
    yield GaugeMetricFamily(
        "contact_ingest_retrying",
        "Pending recordings whose ingest failed at least once",
        value=retrying or 0,
    )


def _ingest(session: Session, now: datetime) -> Iterator[Metric]:
    recent = Recording.stored_at >= now - WINDOW
    ended = Recording.started_at.is_not(None) & Recording.duration_seconds.is_not(None)
    rows = session.execute(
        select(
            Recording.stored_at,
            Recording.started_at,
            Recording.duration_seconds,
        ).where(recent, ended)
    ).all()
    delays = [
        max(0.0, (stored - started).total_seconds() - duration)
        for stored, started, duration in rows
    ]
    duration = GaugeMetricFamily(
        "contact_ingest_delay_seconds_last_24h",
        "From the end of a recording to its encrypted copy verified in our store, for "
        "recordings stored in the last 24 hours",
        labels=["stat"],
    )
    duration.add_metric(["mean"], sum(delays) / len(delays) if delays else 0.0)
    duration.add_metric(["max"], max(delays, default=0.0))
    yield duration
    failed_attempts = session.scalar(
        select(func.coalesce(func.sum(Recording.ingest_attempts), 0)).where(
            Recording.updated_at >= now - WINDOW
        )
    )
    yield GaugeMetricFamily(
        "contact_ingest_failed_attempts_last_24h",
        "Failed ingest attempts of recordings changed in the last 24 hours",
        value=failed_attempts or 0,
    )


def _retention(session: Session, now: datetime) -> Iterator[Metric]:
    report = retention_report(session, now, days=1)
    metric = GaugeMetricFamily(
        "contact_retention_recordings",
        "Stored recordings by retention state; overdue (due over 24 hours, not held) should be 0",
        labels=["state"],
    )
    for state in ("stored", "held", "held_past_due", "due", "overdue"):
        metric.add_metric([state], getattr(report, state))
    yield metric


def _access_requests(session: Session, now: datetime) -> Iterator[Metric]:
    today = london_today(now)
    open_with_clock = (AccessRequest.status == RequestStatus.OPEN) & AccessRequest.due_on.is_not(
        None
    )
    overdue = session.scalar(
        select(func.count()).where(open_with_clock, AccessRequest.due_on < today)
    )
    due_soon = session.scalar(
        select(func.count()).where(
            open_with_clock,
            AccessRequest.due_on >= today,
            AccessRequest.due_on <= today + DUE_SOON_WITHIN,
        )
    )
    metric = GaugeMetricFamily(
        "contact_access_requests_open",
        "Open subject access requests that are overdue or due within 7 days",
        labels=["flag"],
    )
    metric.add_metric(["overdue"], overdue or 0)
    metric.add_metric(["due_soon"], due_soon or 0)
    yield metric


COLLECTORS = [_calls_by_outcome, _queue_wait, _recordings, _ingest, _retention, _access_requests]


class DatabaseCollector:
    """Runs every collector in one short read-only session, as of the app's `now`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def collect(self) -> Iterator[Metric]:
        """Yield the metric families."""
        with db.transaction() as session:
            for collector in COLLECTORS:
                yield from collector(session, self.now)


@bp.get("/metrics")
def metrics() -> Response:
    """The Prometheus exposition of the figures above."""
    registry = CollectorRegistry()
    registry.register(DatabaseCollector(current_app.config["CLOCK"]()))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
