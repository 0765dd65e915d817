"""A Welsh request's package speaks Welsh: manifest.txt, cover-note.txt and the letter (§13)."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from tests.access.support import register_request, store_recording
from workers.access import package_access_request

E164 = "+447700900123"
URL = "/api/access-requests"
WELSH_MONTHS = (
    "Ionawr Chwefror Mawrth Ebrill Mai Mehefin Gorffennaf Awst Medi Hydref Tachwedd Rhagfyr"
).split()


def welsh_package(client, officer, runtime) -> zipfile.ZipFile:  # noqa: ANN001
    """A Welsh request's package of one summer call with one range silenced, no reason given."""
    started = datetime(2026, 7, 10, 9, 15, tzinfo=UTC)
    sid = store_recording(runtime, number=E164, started_at=started)[1]
    rid = register_request(client, officer, E164, language="cy")["id"]
    review = {"include": True, "redactions": [[1.0, 2.0]]}
    reply = client.patch(f"{URL}/{rid}/recordings/{sid}", json=review, headers=officer)
    assert reply.status_code == 200, reply.json
    assert client.post(f"{URL}/{rid}/fulfil", headers=officer).status_code == 202
    package_access_request(rid)
    link = client.get(f"{URL}/{rid}/package", headers=officer).json["url"]
    return zipfile.ZipFile(io.BytesIO(client.get(link.split(".gov.uk", 1)[1]).data))


def test_a_welsh_requests_package_is_in_welsh(client, officer, local_runtime):
    archive = welsh_package(client, officer, local_runtime)
    readable = archive.read("manifest.txt").decode()
    assert "Dyddiad ac amser yr alwad: Dydd Gwener 10 Gorffennaf 2026, 10:15" in readable
    assert "Tawelwyd o 0:01.0 i 0:02.0: gwybodaeth am bobl eraill" in readable
    note = archive.read("cover-note.txt").decode()
    assert "Annwyl Pat Example," in note and "Daethom o hyd i 1 recordiad" in note
    dated = note.splitlines()[0].split()  # the job's clock: today, as 'Dydd Llun 1 Mai 2026'
    assert dated[0] == "Dydd" and dated[3] in WELSH_MONTHS and "Dear" not in note
    assert "Gallwch hefyd gwyno i Swyddfa'r Comisiynydd Gwybodaeth" in (
        archive.read("cover-letter.txt").decode()
    )
