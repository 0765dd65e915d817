"""`keys rotate`: every data key re-wrapped under a new master key; the audio untouched."""

from __future__ import annotations

import json

from app.models import AuditEntry, Recording
from recordings.crypto import MasterKey, generate_master_keyset
from tests.conftest import pcm_wav
from tests.support.rows import rows
from workers.ingest import ingest_recording


def only_primary(keyset_json: str) -> MasterKey:
    """A master key holding nothing but the keyset's primary key."""
    keyset = json.loads(keyset_json)
    keyset["key"] = [k for k in keyset["key"] if k["keyId"] == keyset["primaryKeyId"]]
    return MasterKey.from_json(json.dumps(keyset))


def read(runtime, key: str) -> bytes:  # noqa: ANN001
    with runtime.storage.open(key) as source:
        return source.read()


def ingest_three(runtime, announce_recording) -> dict[str, bytes]:  # noqa: ANN001
    audio = {}
    for n in range(3):
        clip = pcm_wav(0.5)
        audio[announce_recording(clip, call_sid=f"CA{n:032x}")] = clip
    for row in rows(Recording):
        ingest_recording(row.id)
    return audio


def test_rotation_rewraps_every_data_key_under_the_new_key_alone(
    runtime, announce_recording, runner
):
    audio = ingest_three(runtime, announce_recording)
    keyset_file = runtime.settings.instance_dir / "dev-master-keyset.json"
    old_key_id = runtime.master_key.key_id
    objects = {r.storage_key: read(runtime, r.storage_key) for r in rows(Recording)}

    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "re-wrapped 3 data keys" in result.output
    new_key = only_primary(keyset_file.read_text())
    assert new_key.key_id != old_key_id
    for row in rows(Recording):
        assert row.master_key_id == new_key.key_id
        data_key = new_key.unwrap(row.wrapped_key, row.recording_sid)
        assert read(runtime, row.storage_key) == objects[row.storage_key]  # audio not rewritten
        with runtime.storage.open(row.storage_key) as source:
            with data_key.decrypting_reader(source, row.recording_sid) as plaintext:
                assert plaintext.read() == audio[row.recording_sid]
    (entry,) = [e for e in rows(AuditEntry) if e.action == "keys.rotate"]
    assert entry.details == {"rewrapped": 3, "new_key": True}
    assert "keyId" not in json.dumps(entry.details)


def test_keyset_from_the_environment_is_printed_not_applied(runtime, announce_recording, make_app):
    ingest_three(runtime, announce_recording)
    keyset = generate_master_keyset()
    app = make_app(master_keyset=keyset)
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert len(printed["key"]) == 2 and "--rewrap-only" in result.output
    assert {r.master_key_id for r in rows(Recording)} == {runtime.master_key.key_id}
