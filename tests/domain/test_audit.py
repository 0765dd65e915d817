"""The audit log is hash-chained: any change, removal or reordering is detected."""

from __future__ import annotations

from sqlalchemy import delete, update

from app.domain import audit
from app.extensions import db
from app.models import AuditEntry


def write(n: int) -> None:
    with db.transaction() as session:
        for i in range(n):
            audit.record(
                session,
                actor="ro@council",
                action="recording.access",
                subject_type="recording",
                subject_id=f"RE{i}",
                reason="complaint 42",
            )


def verify() -> audit.ChainReport:
    with db.transaction() as session:
        return audit.verify_chain(session)


def test_intact_chain_verifies(app):
    write(5)
    assert verify() == audit.ChainReport(entries=5, broken_at=None, problem=None)


def test_altered_entry_is_detected(app):
    write(5)
    with db.transaction() as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(reason="curiosity"))
    report = verify()
    assert (report.ok, report.broken_at) == (False, 3)


def test_removed_entry_is_detected(app):
    write(5)
    with db.transaction() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
    assert verify().broken_at == 3


def test_truncated_tail_is_detected(app):
    write(5)
    with db.transaction() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq == 5))
    assert not verify().ok


def test_command_reports_intact_and_broken_chains(app, runner):
    write(2)
    assert "intact: 2 entries" in runner.invoke(args=["audit", "verify"]).output
    with db.transaction() as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == 1).values(actor="someone"))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "BROKEN at entry 1" in result.output


def test_concurrent_first_writers_share_one_chain(app):
    import threading

    start, errors = threading.Barrier(4), []

    def first_write() -> None:
        try:
            start.wait()
            write(1)
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=first_write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert verify() == audit.ChainReport(entries=4, broken_at=None, problem=None)
