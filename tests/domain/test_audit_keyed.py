"""The keyed audit chain and its anchor in the store: database writes alone are detected."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import delete, select, update

from app.domain import audit
from app.domain.audit_anchor import ANCHOR_OBJECT, AnchorReport, check_anchor, write_anchor
from app.extensions import db
from app.models import AuditEntry, AuditHead
from app.web.runtime import app_runtime
from tests.domain.test_audit import verify, write

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def unkeyed(entry: AuditEntry, prev_hash: str) -> str:
    """What someone with only the database can compute: the plain SHA-256 of the entry."""
    fields = audit._fields(entry)  # noqa: SLF001
    return audit._entry_hash(prev_hash, entry.seq, entry.at, fields)  # noqa: SLF001


def delete_and_recompute(seq: int, *, as_version: int) -> None:
    """Delete entry `seq`, renumber the rest and recompute every hash without the key."""
    with db.transaction() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq == seq))
        prev = audit.GENESIS_HASH
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        for number, entry in enumerate(entries, start=1):
            entry.seq, entry.prev_hash, entry.chain_version = number, prev, as_version
            entry.entry_hash = prev = unkeyed(entry, prev)
            session.flush()
        head = session.get(AuditHead, 1)
        head.last_seq, head.last_hash = len(entries), prev


def test_new_entries_are_keyed(app):
    write(3)
    with db.transaction() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert {e.chain_version for e in entries} == {audit.KEYED}
        assert all(e.entry_hash != unkeyed(e, e.prev_hash) for e in entries)
    assert verify().ok


def test_deleting_an_entry_and_recomputing_the_hashes_is_detected(app):
    write(5)
    delete_and_recompute(3, as_version=audit.KEYED)
    assert verify().broken_at == 1


def test_an_unkeyed_entry_after_keyed_ones_is_detected(app):
    write(3)
    with db.transaction() as session:
        last = session.scalar(select(AuditEntry).where(AuditEntry.seq == 3))
        last.chain_version, last.entry_hash = audit.UNKEYED, unkeyed(last, last.prev_hash)
        session.get(AuditHead, 1).last_hash = last.entry_hash
    report = verify()
    assert (report.broken_at, report.problem) == (3, "entry is unkeyed after the chain was keyed")


def test_rewriting_the_whole_chain_unkeyed_is_caught_by_the_anchor(app, runner):
    write(5)
    anchor_now(app)
    delete_and_recompute(3, as_version=audit.UNKEYED)  # passes for entries from before the key
    assert verify().ok
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "does not match its anchor" in result.output


def test_entries_from_before_the_key_still_verify(app):
    with db.transaction() as session:  # as 0008 wrote them: SHA-256, version 1 (the default)
        entry = audit.record(session, actor="x", action="a", subject_type="t", subject_id="1")
        entry.chain_version = audit.UNKEYED
        entry.entry_hash = unkeyed(entry, entry.prev_hash)
        session.get(AuditHead, 1).last_hash = entry.entry_hash
    write(2)
    assert verify() == audit.ChainReport(entries=3, broken_at=None, problem=None)


def anchor_now(app) -> None:  # noqa: ANN001
    with app.app_context(), db.transaction() as session:
        write_anchor(session, app_runtime().storage, NOW)


def test_removing_anchored_entries_is_detected(app, runner):
    write(4)
    anchor_now(app)
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "intact: 4 entries (anchored at entry 4)" in ok.output
    with db.transaction() as session:  # the newest two go, and the head row moves back
        session.execute(delete(AuditEntry).where(AuditEntry.seq > 2))
        head = session.get(AuditHead, 1)
        last = session.scalar(select(AuditEntry).where(AuditEntry.seq == 2))
        head.last_seq, head.last_hash = 2, last.entry_hash
    assert verify().ok  # the chain alone looks whole
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "anchored entry 4 is missing" in result.output


def test_a_rewritten_chain_or_a_forged_anchor_is_detected(app):
    write(3)
    anchor_now(app)
    with app.app_context(), db.transaction() as session:
        store = app_runtime().storage
        assert check_anchor(session, store) == AnchorReport(3, None)
        session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(entry_hash="0" * 64))
        assert "the chain was rewritten" in check_anchor(session, store).problem
        forged = {"seq": 1, "hash": "f" * 64, "at": NOW.isoformat()}
        body = json.dumps(forged, sort_keys=True, separators=(",", ":")).encode()
        with store.writer(ANCHOR_OBJECT) as out:  # signed without the key
            signature = hashlib.sha256(body).hexdigest()
            out.write(json.dumps({**forged, "signature": signature}).encode())
        assert check_anchor(session, store).problem == "the anchor's signature is wrong"


def test_the_scheduled_job_anchors_the_head(app):
    from app import runtime as jobs
    from app.runtime import Runtime, use_runtime
    from workers.audit import anchor_audit_chain

    write(2)
    with app.app_context():
        store = app_runtime().storage
    previous = jobs._current  # noqa: SLF001
    use_runtime(Runtime(app.config["SETTINGS"], db=db, storage=store, clock=lambda: NOW))
    try:
        assert anchor_audit_chain() == 2
    finally:
        use_runtime(previous)
    with db.transaction() as session:
        assert check_anchor(session, store) == AnchorReport(2, None)
