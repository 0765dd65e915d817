"""A contact centre's last six months in PostgreSQL, for the console pages bench (SPEC §11).

Everything is COPYed into a database already at the newest migration, from one seeded random
generator, so two runs hold the same rows. Calls are in id order as the webhook writes them;
the newest are today's (the board's figures read them) and a few callers are waiting or talking
now. What the rows say follows the product's own rules where a page reads them:

- calls from many callers, a few calling very often (a care home, a frequent caller), through
  six services in English or Welsh: answered (an advisor, a leg), abandoned in the queue, out of
  hours or failed;
- recordings of answered calls, kept six months: stored, deleted by retention (a deletion record
  each) or kept past their time by a hold; a few failed;
- access requests received over the same months, each having held every call it matched
  (`access_request_calls`, one legal hold per call, released when the request closed), in every
  state the list shows (identity pending, new online, paused, extended, packaged, refused,
  closed on time or late); reviews of their recordings and packages where they got that far;
- other holds (numbers, calls, recordings) for complaints and investigations, privacy alerts
  (nearly all closed), and the audit log (a valid hash chain, unkeyed as before migration 0009,
  so the app's own entries chain on) from the system and staff;
- staff: advisors in every status, supervisors, records officers, admins, a few deactivated.

Not real: names and numbers are made up (valid UK formats: the console parses them); the audit
entries' subjects are drawn at random rather than replayed from the rows above; the audio
behind `storage_key` does not exist (no page opens it).
"""

from __future__ import annotations

import json
import random
import secrets
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import psycopg

from app.domain.audit import GENESIS_HASH, UNKEYED, _entry_hash  # noqa: PLC2701
from config.services import REFERENCE_SERVICES
from recordings.retention import LONDON, retention_rule_name
from recordings.subject_access import clock_start, due_date

DAYS = 200  # of calls: a little over the six months recordings are kept
RETENTION = timedelta(days=183)
SERVICE_WEIGHTS = (30, 20, 15, 5, 10, 20)  # REFERENCE_SERVICES' order
ANSWERED, ABANDONED, OUT_OF_HOURS, FAILED, WAITING, CONNECTED = range(6)
OUTCOMES = dict(enumerate(("answered", "abandoned", "out_of_hours", "failed")))
LIVE_CALLS = 10  # the newest calls: 6 callers waiting, 4 talking to advisors now
STAFF = {"advisor": 80, "supervisor": 8, "records_officer": 5, "admin": 2}
CHANNELS = ("phone",) * 6 + ("letter",) * 4 + ("in_person", "email", "email") + ("online",) * 7
AUDIT_ACTIONS = (  # (action, subject type, weight): what the log of such a line is made of
    ("recording.store", "recording", 35),
    ("hold.place", "legal_hold", 15),
    ("hold.release", "legal_hold", 13),
    ("advisor.status", "staff", 12),
    ("console.call_view", "call", 6),
    ("recording.access", "recording", 5),
    ("console.access_request_view", "access_request", 5),
    ("access_request.register", "access_request", 4),
    ("retention.delete", "recording", 3),
    ("console.sign_in", "staff", 2),
)


@dataclass(frozen=True)
class Sizes:
    """How much to seed."""

    calls: int
    callers: int
    recordings: int
    requests: int
    audit: int
    alerts: int


@dataclass
class Seeded:
    """What the bench needs to know of the rows to ask for varied pages."""

    now: datetime
    staff: dict[str, list[int]] = field(default_factory=dict)  # role -> ids
    emails: dict[int, str] = field(default_factory=dict)
    request_ids: list[int] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)  # callers' numbers, as often as they call
    call_sids: list[str] = field(default_factory=list)  # a sample
    reviews: list[tuple[int, str]] = field(default_factory=list)  # (request id, recording sid)


def number(caller: int) -> str:
    """The caller's number: a St Helens landline for one in four, otherwise a mobile."""
    return f"+441744{caller:06d}" if caller % 4 == 0 else f"+4479{caller:08d}"


def call_sid(call_id: int) -> str:
    return f"CA{call_id:032x}"


def recording_sid(recording_id: int) -> str:
    return f"RE{recording_id:032x}"


class Calls:
    """The calls, column by column in compact arrays (a million Python objects would not fit
    as comfortably); call `n` has id `n + 1`."""

    def __init__(self, sizes: Sizes, now: datetime, advisors: list[int], rng: random.Random):
        self.start = (now - timedelta(days=DAYS)).timestamp()
        self.step = DAYS * 86400 / sizes.calls
        self.caller, self.started = array("i"), array("d")
        self.outcome, self.service, self.welsh = bytearray(), bytearray(), bytearray()
        self.menu, self.wait, self.talk, self.advisor = (array("H") for _ in range(4))
        for n in range(sizes.calls):
            self._add(n, sizes, advisors, rng)
        self._make_live(now, advisors)

    def _add(self, n: int, sizes: Sizes, advisors: list[int], rng: random.Random) -> None:
        self.caller.append(int(sizes.callers * rng.random() ** 2))  # a few call very often
        self.started.append(self.start + (n + rng.random()) * self.step)
        roll = rng.random()
        outcome = OUT_OF_HOURS if roll < 0.05 else FAILED if roll < 0.08 else ANSWERED
        if outcome == ANSWERED and rng.random() < 0.2:
            outcome = ABANDONED
        self.outcome.append(outcome)
        self.service.append(rng.choices(range(6), SERVICE_WEIGHTS)[0])
        self.welsh.append(rng.random() < 0.08)
        self.menu.append(rng.randint(20, 90))
        self.wait.append(min(1800, int(rng.expovariate(1 / 45))))
        self.talk.append(min(3600, 20 + int(rng.expovariate(1 / 300))))
        self.advisor.append(rng.choice(advisors))

    def _make_live(self, now: datetime, advisors: list[int]) -> None:
        """The newest calls are live: callers waiting, and the first advisors' calls."""
        total = len(self.started)
        for k, n in enumerate(range(max(0, total - LIVE_CALLS), total)):
            talking = k >= LIVE_CALLS - 4
            self.outcome[n] = CONNECTED if talking else WAITING
            self.started[n] = now.timestamp() - 60 * (LIVE_CALLS - k) - 100
            self.advisor[n] = advisors[k - (LIVE_CALLS - 4)] if talking else 0

    def __len__(self) -> int:
        return len(self.started)

    def at(self, n: int) -> datetime:
        return datetime.fromtimestamp(self.started[n], UTC)

    def index_before(self, moment: datetime) -> int:
        """How many calls started before `moment`."""
        return max(0, min(len(self), int((moment.timestamp() - self.start) / self.step)))

    def answered_at(self, n: int) -> datetime:
        return self.at(n) + timedelta(seconds=self.menu[n] + self.wait[n])

    def rows(self) -> Iterator[tuple]:
        for n in range(len(self)):
            yield self._row(n)

    def _row(self, n: int) -> tuple:
        outcome, started = self.outcome[n], self.at(n)
        code = REFERENCE_SERVICES[self.service[n]].code
        queued = outcome not in (OUT_OF_HOURS, FAILED)
        enqueued = started + timedelta(seconds=self.menu[n]) if queued else None
        dequeued = enqueued + timedelta(seconds=self.wait[n]) if queued else None
        answered = dequeued if outcome in (ANSWERED, CONNECTED) else None
        live = outcome in (WAITING, CONNECTED)
        ended = None if live else (answered or dequeued or started + timedelta(seconds=40))
        if ended is not None and answered is not None:
            ended += timedelta(seconds=self.talk[n])
        priority = REFERENCE_SERVICES[self.service[n]].priority
        state = {WAITING: "waiting", CONNECTED: "connected"}.get(outcome, "done")
        advisor = self.advisor[n] if outcome in (ANSWERED, CONNECTED) else None
        return (
            n + 1, call_sid(n + 1), number(self.caller[n]), "+441744676767", started,
            "in-progress" if live else "completed", False,
            code if queued else None, enqueued, None if outcome == WAITING else dequeued,
            {ANSWERED: "bridged", ABANDONED: "hangup"}.get(outcome),
            self.wait[n] if queued and outcome != WAITING else None,
            answered, ended, int((ended - started).total_seconds()) if ended else None,
            OUTCOMES.get(outcome), "cy" if self.welsh[n] else "en",
            f"QU{self.service[n]:032x}" if queued else None, priority if queued else None,
            enqueued, state if queued else None, advisor,
        )  # fmt: skip

    def leg_rows(self) -> Iterator[tuple]:
        """The advisor leg of each answered call (and of the calls being answered now)."""
        for n in range(len(self)):
            if self.outcome[n] not in (ANSWERED, CONNECTED):
                continue
            answered = self.answered_at(n)
            ended = None
            if self.outcome[n] == ANSWERED:
                ended = answered + timedelta(seconds=self.talk[n])
            yield (
                n + 1, self.advisor[n], "first", f"CA{n + 1:031x}f",
                answered - timedelta(seconds=8), answered, ended,
                None if ended is None else "completed", True,
            )  # fmt: skip


CALL_COLUMNS = (
    "id, call_sid, from_number, to_number, started_at, twilio_status, recording_opted_out,"
    " service_code, enqueued_at, dequeued_at, queue_result, queue_wait_seconds, answered_at,"
    " ended_at, duration_seconds, outcome, language, queue_sid, queue_priority, queue_sort_at,"
    " routing_state, assigned_advisor_id"
)
LEG_COLUMNS = (
    "call_id, advisor_id, kind, dial_call_sid, started_at, answered_at, ended_at, result, recorded"
)


def copy_rows(cur: psycopg.Cursor, table: str, columns: str, rows: Iterable[tuple]) -> None:
    """COPY `rows` into `table`."""
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


# --- staff ------------------------------------------------------------------------------------


def seed_staff(cur: psycopg.Cursor, seeded: Seeded, now: datetime, rng: random.Random) -> None:
    """Advisors (4 on calls, then available, in wrap-up and offline), and the other roles."""
    rows, staff_id = [], 0
    codes = [s.code for s in REFERENCE_SERVICES]
    for role, count in STAFF.items():
        for k in range(count + (2 if role == "advisor" else 0)):
            staff_id += 1
            active = k < count  # two former advisors, deactivated
            email = f"{role.replace('_', '.')}{k + 1}@sthelens.example.gov.uk"
            status = "offline"
            if role == "advisor" and active:
                status = (
                    "busy"
                    if k < 4
                    else "available"
                    if k < 40
                    else "wrap_up"
                    if k < 48
                    else ("offline")
                )
            changed = now - timedelta(seconds=rng.randint(5, 3000) if status != "wrap_up" else 20)
            rows.append((
                staff_id, email, f"{role.replace('_', ' ').title()} {k + 1}", role,
                json.dumps(rng.sample(codes, 3) if role == "advisor" else []),
                f"client:advisor{k + 1}" if role == "advisor" else None, True, status, changed,
                active, now - timedelta(days=400),
                json.dumps(["cy", "en"] if k % 5 == 0 else ["en"]),
                0, None if active else now - timedelta(days=30),
            ))  # fmt: skip
            seeded.emails[staff_id] = email
            if active:
                seeded.staff.setdefault(role, []).append(staff_id)
    copy_rows(
        cur,
        "staff",
        "id, email, name, role, skills, endpoint, records_calls, status, status_changed_at,"
        " active, created_at, languages, failed_sign_ins, deactivated_at",
        rows,
    )


# --- access requests and holds ----------------------------------------------------------------


@dataclass
class Holds:
    """Every legal hold, and what the recordings' fate needs to know of them."""

    rows: list[tuple] = field(default_factory=list)
    held_calls: set[int] = field(default_factory=set)  # call index, an active hold on it
    held_numbers: set[int] = field(default_factory=set)  # caller
    held_recordings: set[int] = field(default_factory=set)  # recording id
    released: dict[int, datetime] = field(default_factory=dict)  # call index -> last release

    def add(self, kind: str, reference: str, by: str, at: datetime, ended: datetime | None,
            *, call: int | None = None, recording: int | None = None,
            caller: int | None = None) -> int:  # fmt: skip
        """A hold on one call index, recording id or caller; its id."""
        hold_id = len(self.rows) + 1
        reason = {
            "access_request": f"Subject access request {reference}: the call's recordings",
            "complaint": f"Complaint {reference}: keep until it is resolved",
        }.get(kind, f"Investigation {reference}")
        self.rows.append((
            hold_id, kind, reason, reference, None if call is None else call + 1, recording,
            None if caller is None else number(caller), by, at, ended, by if ended else None,
        ))  # fmt: skip
        if ended is None:
            for target, held in ((call, self.held_calls), (caller, self.held_numbers)):
                if target is not None:
                    held.add(target)
            if recording is not None:
                self.held_recordings.add(recording)
        elif call is not None:
            self.released[call] = max(ended, self.released.get(call, ended))
        return hold_id


HOLD_COLUMNS = (
    "id, kind, reason, reference, call_id, recording_id, number, created_by, created_at,"
    " released_at, released_by"
)


@dataclass
class RequestPlan:
    """One access request: its row, and the call indexes it matched."""

    row: dict[str, object]
    calls: list[int]


def plan_requests(
    sizes: Sizes, calls: Calls, now: datetime, officers: list[str], rng: random.Random
) -> list[RequestPlan]:
    """Requests received over the months of calls, each matching its numbers' earlier calls."""
    calls_of: dict[int, list[int]] = defaultdict(list)
    for n, caller in enumerate(calls.caller):
        calls_of[caller].append(n)
    plans = []
    for request_id in range(1, sizes.requests + 1):
        created = now - timedelta(seconds=rng.random() * DAYS * 86400)
        before = calls.index_before(created)
        if before == 0:
            before = 1
        callers = [calls.caller[rng.randrange(before)]]  # busy lines ask more often
        if rng.random() < 0.1:
            callers.append(rng.randrange(sizes.callers))
        received = created.astimezone(LONDON).date()
        dated = rng.random() < 0.25
        since = received - timedelta(days=rng.randint(30, 120)) if dated else None
        matched = [
            n
            for caller in callers
            for n in calls_of[caller]
            if n < before and (since is None or calls.at(n).astimezone(LONDON).date() >= since)
        ]
        row = request_row(request_id, received, created, now, officers, rng)
        row.update(
            phone_numbers=json.dumps([number(c) for c in callers]),
            date_from=since,
            date_to=received if dated else None,
        )
        plans.append(RequestPlan(row, matched))
    return plans


def request_row(
    request_id: int,
    received: date,
    created: datetime,
    now: datetime,
    officers: list[str],
    rng: random.Random,
) -> dict[str, object]:
    """The request's state after `now - created`: the older, the likelier it is closed."""
    age = (now - created).days
    closed = rng.random() < (0.98 if age > 60 else 0.9 if age > 35 else 0.5 if age > 20 else 0.1)
    channel = rng.choice(CHANNELS)
    pending = rng.random() < 0.15 or channel == "online"
    verified = received + timedelta(days=rng.randint(1, 7)) if pending else None
    if pending and not closed and age < 10 and rng.random() < 0.6:
        verified = None  # not verified yet (the online ones: new online requests)
    row: dict[str, object] = {
        "id": request_id,
        "requester_name": f"Requester {request_id}",
        "requester_relationship": "data_subject",
        "received_on": received,
        "identity_pending": pending,
        "identity_verified_on": verified,
        "status": "closed" if closed else "open",
        "created_by": "online-form" if channel == "online" else rng.choice(officers),
        "channel": channel,
        "language": "cy" if rng.random() < 0.05 else "en",
        "created_at": created,
        "package_progress": 0,
        "package_total": 0,
        "paused_days": 0,
        "person_references": "[]",
    }
    start = clock_start(received, verified, pending)
    due = due_date(start) if start else None
    if due and rng.random() < (0.1 if closed else 0.05):
        row.update(extended_by_months=1, extension_reason="Complex: many recordings to review")
        row["extended_at"], due = created + timedelta(days=20), due + timedelta(days=30)
    row["due_on"] = due
    if closed:
        late = rng.random() < 0.05
        took = timedelta(days=rng.randint(31, 45) if late else rng.randint(3, 28))
        row.update(closed_at=min(now - timedelta(hours=1), created + took))
        row.update(closed_by=rng.choice(officers), package_state="ready")
        if rng.random() < 0.02:
            row.update(refused_at=row["closed_at"], refusal_ground="manifestly_excessive")
            row.update(refusal_reason="The sixth request this month for the same calls")
            row["package_state"] = None
    elif verified and age > 10:
        row["package_state"] = rng.choice(("ready", "ready", "ready", None, None, "failed"))
    elif not closed and verified and rng.random() < 0.1:
        row.update(
            paused_at=created + timedelta(days=2), pause_reason="Which dates? Asked by email"
        )
    return row


REQUEST_COLUMNS = (
    "id, requester_name, requester_relationship, received_on, identity_pending,"
    " identity_verified_on, status, created_by, channel, language, created_at, package_progress,"
    " package_total, paused_days, person_references, extended_by_months, extension_reason,"
    " extended_at, due_on, closed_at, closed_by, package_state, refused_at, refusal_ground,"
    " refusal_reason, paused_at, pause_reason, phone_numbers, date_from, date_to"
).split(", ")


def seed_requests(
    cur: psycopg.Cursor, plans: list[RequestPlan], holds: Holds, officers: list[str]
) -> list[tuple[int, int, int]]:
    """The requests, one hold per matched call, and the links; returns (request, call, hold)."""
    links = []
    for plan in plans:
        row = plan.row
        reference = f"SAR-{row['id']:06d}"
        by, ended = str(row["created_by"]), row.get("closed_at")
        if by == "online-form":
            by = officers[0]
        for n in plan.calls:
            hold = holds.add("access_request", reference, by, row["created_at"], ended, call=n)  # type: ignore[arg-type]
            links.append((int(row["id"]), n, hold))  # type: ignore[call-overload]
    copy_rows(
        cur,
        "access_requests",
        ", ".join(REQUEST_COLUMNS),
        (tuple(p.row.get(c) for c in REQUEST_COLUMNS) for p in plans),
    )
    return links


def other_holds(
    holds: Holds, calls: Calls, recordings: dict[int, int], now: datetime, rng: random.Random
) -> None:
    """Complaints and investigations: on numbers, calls and recordings; a quarter released."""
    targets = list(recordings.items())
    for k in range(240):
        kind = "complaint" if k % 3 else "investigation"
        at = now - timedelta(days=rng.uniform(1, DAYS))
        ended = at + timedelta(days=rng.uniform(1, 60)) if rng.random() < 0.25 else None
        ended = ended if ended is None or ended < now else None
        reference, by = (
            f"{kind[:4].upper()}-{k + 1:05d}",
            "records.officer1@sthelens.example.gov.uk",
        )
        n, recording = rng.choice(targets)
        if k % 6 == 0:
            holds.add(kind, reference, by, at, ended, caller=calls.caller[n])
        elif k % 6 == 1:
            holds.add(kind, reference, by, at, ended, call=n)
        else:
            holds.add(kind, reference, by, at, ended, recording=recording)


# --- recordings -------------------------------------------------------------------------------


def choose_recordings(sizes: Sizes, calls: Calls, rng: random.Random) -> dict[int, int]:
    """Call index -> recording id for `sizes.recordings` answered calls, oldest first."""
    answered = [n for n in range(len(calls)) if calls.outcome[n] == ANSWERED]
    chosen = sorted(rng.sample(answered, min(sizes.recordings, len(answered))))
    return {n: k + 1 for k, n in enumerate(chosen)}


def recording_rows(
    calls: Calls, recordings: dict[int, int], holds: Holds, now: datetime, rng: random.Random
) -> Iterator[tuple]:
    """Stored, or deleted by retention once due and no longer held; a few failed."""
    rule = retention_rule_name(6)
    for n, recording_id in recordings.items():
        started = calls.answered_at(n)
        stored = started + timedelta(seconds=calls.talk[n] + 90)
        due = started + RETENTION
        held = (
            n in holds.held_calls
            or calls.caller[n] in holds.held_numbers
            or recording_id in holds.held_recordings
        )
        deleted = None
        if due <= now and not held:
            deleted = max(due, holds.released.get(n, due)) + timedelta(hours=rng.uniform(0.5, 20))
            deleted = deleted if deleted < now else None  # due: the next sweep deletes it
        status = "failed" if rng.random() < 0.003 else "deleted" if deleted else "stored"
        sid, kept = recording_sid(recording_id), status == "stored"
        yield (
            recording_id, sid, n + 1, call_sid(n + 1), status, "completed", "DialVerb", 2,
            started, calls.talk[n], f"{stored:%Y/%m}/{sid}.wav.enc" if kept else None,
            calls.talk[n] * 32000 if kept else None, secrets.token_hex(32) if kept else None,
            secrets.token_bytes(60) if kept else None, "k1" if kept else None, due,
            stored if status != "failed" else None, deleted, stored, 1,
            started, deleted or stored, rule,
        )  # fmt: skip


RECORDING_COLUMNS = (
    "id, recording_sid, call_id, call_sid, status, twilio_status, source, channels, started_at,"
    " duration_seconds, storage_key, size_bytes, sha256, wrapped_key, master_key_id,"
    " delete_after, stored_at, deleted_at, twilio_deleted_at, ingest_attempts, created_at,"
    " updated_at"
)


def seed_recordings(cur: psycopg.Cursor, rows: Iterator[tuple]) -> dict[int, str]:
    """The recordings, and a deletion record for each copy deleted; recording id -> status."""
    statuses, deletions = {}, []
    with cur.copy(f"COPY recordings ({RECORDING_COLUMNS}) FROM STDIN") as copy:
        for row in rows:
            *columns, rule = row
            copy.write_row(columns)
            statuses[row[0]] = row[4]
            if row[4] != "failed":
                deletions.append((row[1], row[3], "twilio-copy", rule, row[18]))
            if row[17] is not None:
                deletions.append((row[1], row[3], "audio+key", rule, row[17]))
    copy_rows(cur, "deletion_records", "recording_sid, call_sid, what, rule, deleted_at", deletions)
    return statuses


def seed_reviews(
    cur: psycopg.Cursor,
    plans: list[RequestPlan],
    recordings: dict[int, int],
    statuses: dict[int, str],
    rng: random.Random,
) -> list[tuple[int, str]]:
    """Reviews of the recordings of requests that were packaged, and their packages; returns
    (request id, recording sid) of recordings on open requests' review lists."""
    reviews, packages, listed = [], [], []
    for plan in plans:
        row = plan.row
        ids = [recordings[n] for n in plan.calls if n in recordings]
        ids = [r for r in ids if statuses[r] == "stored" or row["status"] == "closed"]
        if row["status"] == "open":
            listed.extend((int(row["id"]), recording_sid(r)) for r in ids)  # type: ignore[call-overload]
        if row.get("package_state") != "ready":
            continue
        at = row["created_at"] + timedelta(days=rng.randint(1, 5))  # type: ignore[operator]
        for recording_id in ids:
            include = rng.random() < 0.95
            ranges = (
                [{"start": 12.5, "end": 19.0, "reason": "third party"}]
                if include and (rng.random() < 0.2)
                else []
            )
            reviews.append((
                row["id"], recording_id, include, json.dumps(ranges),
                None if include and not ranges else "Not the requester's call",
                row["created_by"], at,
            ))  # fmt: skip
        gone = row.get("closed_at")
        packages.append((
            secrets.token_hex(16), row["id"], None if gone else f"packages/{row['id']}.zip.enc",
            len(ids), 0, at + timedelta(hours=1), gone,
        ))  # fmt: skip
    copy_rows(
        cur,
        "access_request_recordings",
        "access_request_id, recording_id, include, redactions, reason, reviewed_by, reviewed_at",
        reviews,
    )
    copy_rows(
        cur,
        "access_packages",
        "id, access_request_id, storage_key, recording_count, downloads, created_at, deleted_at",
        packages,
    )
    return listed


# --- alerts and the audit log -----------------------------------------------------------------


def alert_rows(
    sizes: Sizes, recordings: dict[int, int], calls: Calls, readers: list[str], now: datetime,
    rng: random.Random,
) -> Iterator[tuple]:  # fmt: skip
    """Alerts raised when old recordings were opened: nearly all closed, a few breaches."""
    pairs = list(recordings.items())
    for k in range(sizes.alerts):
        n, recording_id = rng.choice(pairs)
        raised = min(now, calls.answered_at(n) + timedelta(days=rng.uniform(31, 150)))
        open_ = rng.random() < 0.02 or raised > now - timedelta(days=1)
        outcome = None if open_ else "breach" if k % 40 == 0 else "legitimate"
        closed = None if open_ else raised + timedelta(hours=rng.uniform(1, 48))
        yield (
            recording_id, rng.choice(readers), "Complaint about the call: checking what was said",
            "recording-older-than-30-days", raised, closed, outcome,
            None if open_ else "Reason checked with their manager: legitimate",
            None if open_ else readers[0],
        )  # fmt: skip


def audit_rows(
    sizes: Sizes, seeded: Seeded, calls: Calls, now: datetime, rng: random.Random
) -> Iterator[tuple]:
    """A valid unkeyed hash chain of entries over the months, oldest first."""
    actions, weights = [a[:2] for a in AUDIT_ACTIONS], [a[2] for a in AUDIT_ACTIONS]
    people = [seeded.emails[i] for ids in seeded.staff.values() for i in ids]
    start, step = now - timedelta(days=DAYS), timedelta(days=DAYS) / max(1, sizes.audit)
    previous = GENESIS_HASH
    for seq in range(1, sizes.audit + 1):
        action, subject_type = rng.choices(actions, weights)[0]
        system = action.startswith(("recording.store", "retention."))
        at = start + step * (seq - 1 + rng.random())
        subject = {
            "call": call_sid(rng.randrange(len(calls)) + 1),
            "recording": recording_sid(rng.randrange(1, sizes.recordings + 1)),
        }.get(subject_type, str(rng.randrange(1, 50_000)))
        fields = {
            "actor": "system" if system else rng.choice(people),
            "action": action,
            "subject_type": subject_type,
            "subject_id": subject,
            "reason": "Quality check of the call" if action == "recording.access" else None,
            "details": {},
        }
        entry_hash = _entry_hash(previous, seq, at, fields, UNKEYED)
        yield (seq, at, *list(fields.values())[:5], "{}", previous, entry_hash, UNKEYED)
        previous = entry_hash


def seed_audit(cur: psycopg.Cursor, sizes: Sizes, seeded: Seeded, calls: Calls,
               now: datetime, rng: random.Random) -> None:  # fmt: skip
    """The entries, and the chain's head naming the last."""
    head = (0, GENESIS_HASH)

    def kept(rows: Iterator[tuple]) -> Iterator[tuple]:
        nonlocal head
        for row in rows:
            head = (row[0], row[-2])
            yield row

    copy_rows(
        cur,
        "audit_entries",
        "seq, at, actor, action, subject_type, subject_id, reason, details, prev_hash,"
        " entry_hash, chain_version",
        kept(audit_rows(sizes, seeded, calls, now, rng)),
    )
    cur.execute("INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, %s, %s)", head)


# --- all of it --------------------------------------------------------------------------------


def seed(url: str, sizes: Sizes, now: datetime) -> Seeded:
    """Fill the database at `url` (migrated, empty); what the bench needs to ask for pages."""
    rng, seeded = random.Random(20261201), Seeded(now=now)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        seed_staff(cur, seeded, now, rng)
        officers = [seeded.emails[i] for i in seeded.staff["records_officer"]]
        readers = officers + [seeded.emails[i] for i in seeded.staff["supervisor"]]
        calls = Calls(sizes, now, seeded.staff["advisor"], rng)
        copy_rows(cur, "calls", CALL_COLUMNS, calls.rows())
        copy_rows(cur, "call_legs", LEG_COLUMNS, calls.leg_rows())
        recordings = choose_recordings(sizes, calls, rng)
        plans = plan_requests(sizes, calls, now, officers, rng)
        holds = Holds()
        links = seed_requests(cur, plans, holds, officers)
        other_holds(holds, calls, recordings, now, rng)
        statuses = seed_recordings(cur, recording_rows(calls, recordings, holds, now, rng))
        copy_rows(cur, "legal_holds", HOLD_COLUMNS, holds.rows)
        copy_rows(
            cur,
            "access_request_calls",
            "access_request_id, call_id, hold_id",
            ((r, n + 1, h) for r, n, h in links),
        )
        seeded.reviews = seed_reviews(cur, plans, recordings, statuses, rng)
        copy_rows(
            cur,
            "privacy_alerts",
            "recording_id, staff_email, reason, rule, raised_at, acknowledged_at, outcome,"
            " outcome_note, closed_by",
            alert_rows(sizes, recordings, calls, readers, now, rng),
        )
        seed_audit(cur, sizes, seeded, calls, now, rng)
        for table in ("staff", "calls", "recordings", "access_requests", "legal_holds"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
            )  # noqa: E501
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    seeded.request_ids = [int(p.row["id"]) for p in plans]  # type: ignore[call-overload]
    sample = [rng.randrange(len(calls)) for _ in range(5000)]
    seeded.numbers = [number(calls.caller[n]) for n in sample]
    seeded.call_sids = [call_sid(n + 1) for n in sample]
    return seeded
