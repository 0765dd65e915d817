"""GET /metrics: Prometheus figures computed from the database at scrape time.

Computing at scrape time (rather than counting in each process) keeps the figures right
with any number of web and worker processes, and costs a few indexed queries a scrape.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from flask import Blueprint, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Call, Recording, RecordingStatus, utcnow

bp = Blueprint("metrics", __name__)
WINDOW = timedelta(hours=24)


def _calls_by_outcome(session: Session) -> Iterator[Metric]:
    metric = GaugeMetricFamily(
        "contact_calls_last_24h", "Calls started in the last 24 hours", labels=["outcome"]
    )
    rows = session.execute(
        select(func.coalesce(Call.outcome, "in_progress"), func.count())
        .where(Call.started_at >= utcnow() - WINDOW)
        .group_by(Call.outcome)
    )
    for outcome, count in rows:
        metric.add_metric([outcome], count)
    yield metric


def _queue_wait(session: Session) -> Iterator[Metric]:
    metric = GaugeMetricFamily(
        "contact_queue_wait_seconds_last_24h",
        "Queue wait of callers who left a queue in the last 24 hours",
        labels=["service", "stat"],
    )
    rows = session.execute(
        select(
            Call.service_code, func.avg(Call.queue_wait_seconds), func.max(Call.queue_wait_seconds)
        )
        .where(Call.dequeued_at >= utcnow() - WINDOW)
        .group_by(Call.service_code)
    )
    for service, mean, longest in rows:
        metric.add_metric([service or "none", "mean"], float(mean or 0))
        metric.add_metric([service or "none", "max"], float(longest or 0))
    yield metric


def _recordings(session: Session) -> Iterator[Metric]:
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


COLLECTORS = [_calls_by_outcome, _queue_wait, _recordings]


class DatabaseCollector:
    """Runs every collector in one short read-only session."""

    def collect(self) -> Iterator[Metric]:
        """Yield the metric families."""
        with db.transaction() as session:
            for collector in COLLECTORS:
                yield from collector(session)


@bp.get("/metrics")
def metrics() -> Response:
    """The Prometheus exposition of the figures above."""
    registry = CollectorRegistry()
    registry.register(DatabaseCollector())
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
