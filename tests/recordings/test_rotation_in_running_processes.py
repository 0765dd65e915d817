"""Issue 19, item 3: a running process follows `keys rotate` without a restart, and a recording
that cannot be decrypted gets a clear error, never a 5xx."""

from __future__ import annotations

from sqlalchemy import update

from app.extensions import db
from app.models import Recording
from recordings.crypto import DataKey, MasterKey, add_primary_key, generate_master_keyset
from recordings.master_keys import FileMasterKey
from tests.conftest import pcm_wav
from tests.support.rows import one
from workers.ingest import ingest_recording

AUDIO_URL = "/api/recordings/{}/audio?reason=complaint+ref+C-1234"


def test_a_running_app_plays_audio_rewrapped_by_a_rotation(
    runtime, announce_recording, runner, client, staff_headers
):
    audio = pcm_wav(1.0)
    sid = announce_recording(audio)
    ingest_recording(one(Recording).id)  # this process has loaded the keyset now
    old_key_id = runtime.master_key.key_id
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    assert one(Recording).master_key_id != old_key_id
    reply = client.get(AUDIO_URL.format(sid), headers=staff_headers("supervisor"))
    assert reply.status_code == 200 and reply.get_data() == audio
    assert runtime.master_key.key_id == one(Recording).master_key_id  # new wraps: new key


def test_a_file_master_key_wraps_under_the_new_primary_after_the_file_changes(tmp_path):
    path = tmp_path / "keyset.json"
    path.write_text(generate_master_keyset())
    running = FileMasterKey(path, path.read_text())
    path.write_text(add_primary_key(path.read_text()))
    wrapped = running.wrap(DataKey.generate(), "RE1")
    assert MasterKey.from_json(path.read_text()).key_id == running.key_id
    assert running.unwrap(wrapped, "RE1") is not None


def test_an_undecryptable_recording_is_a_clear_409_not_a_500(
    runtime, announce_recording, client, staff_headers
):
    sid = announce_recording()
    ingest_recording(one(Recording).id)
    with db.transaction() as session:
        session.execute(update(Recording).values(wrapped_key=b"\x01not a wrapped key"))
    reply = client.get(AUDIO_URL.format(sid), headers=staff_headers("supervisor"))
    assert reply.status_code == 409
    assert reply.json["error"]["code"] == "undecryptable"
    assert "master keys" in reply.json["error"]["message"]
