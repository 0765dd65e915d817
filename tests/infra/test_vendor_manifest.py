"""The vendored front-end files are exactly those of app/static/vendor/manifest.json."""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from pathlib import Path, PurePosixPath

import pytest

VENDOR = Path(__file__).resolve().parents[2] / "app" / "static" / "vendor"
MANIFEST = json.loads((VENDOR / "manifest.json").read_text(encoding="utf-8"))
SPEC = json.loads((VENDOR / "packages.json").read_text(encoding="utf-8"))
LISTED = {f["path"]: f for p in MANIFEST["packages"] for f in p["files"]}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("path", sorted(LISTED))
def test_each_listed_file_has_its_recorded_sha256(path: str) -> None:
    file = VENDOR / path
    assert file.is_file(), f"{path} is in manifest.json but not on disk: run `make assets`"
    assert sha256(file) == LISTED[path]["sha256"], (
        f"{path} differs from manifest.json: never edit vendored files, run `make assets`"
    )


def test_every_file_under_vendor_is_listed() -> None:
    on_disk = {
        p.relative_to(VENDOR).as_posix()
        for p in VENDOR.rglob("*")
        if p.is_file() and p.parent != VENDOR
    }
    loose = {p.name for p in VENDOR.iterdir() if p.is_file()} - {"manifest.json", "packages.json"}
    assert not loose, f"files at the top of app/static/vendor: {sorted(loose)}"
    unlisted = sorted(on_disk - set(LISTED))
    assert not unlisted, f"files under app/static/vendor missing from manifest.json: {unlisted}"


def test_manifest_matches_the_pinned_list() -> None:
    pinned = [(p["name"], p["version"], p["dir"]) for p in SPEC["packages"]]
    vendored = [(p["name"], p["version"], p["dir"]) for p in MANIFEST["packages"]]
    assert vendored == pinned, "packages.json changed: run `make assets` to vendor it"


@pytest.mark.parametrize("package", MANIFEST["packages"], ids=lambda p: p["name"])
def test_each_package_records_licence_and_integrity(package: dict) -> None:
    assert package["license"], f"{package['name']}: no licence in its package.json"
    assert package["license_file"] in LISTED, f"{package['name']}: licence file not vendored"
    assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", package["integrity"])
    assert re.fullmatch(r"\d+\.\d+\.\d+", package["version"]), "pin exact versions"
    for file in package["files"]:
        assert file["path"].startswith(package["dir"] + "/")


def test_govuk_css_urls_resolve_beside_the_stylesheet() -> None:
    css_path = "govuk-frontend/govuk-frontend.min.css"
    css = (VENDOR / css_path).read_text(encoding="utf-8")
    urls = set(re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", css))
    assert urls, "expected the stylesheet to reference its fonts and images"
    for url in urls:
        if url.startswith("data:"):
            continue
        assert not url.startswith(("/", "http:", "https:")), f"{url} is not relative"
        target = PurePosixPath(css_path).parent / url.split("?")[0].split("#")[0]
        resolved = posixpath.normpath(target.as_posix())
        assert resolved in LISTED, f"{url} in the GOV.UK CSS resolves to unvendored {resolved}"


def test_the_main_scripts_are_where_templates_expect_them() -> None:
    for path in [
        "twilio-voice-sdk/twilio.min.js",
        "htmx/htmx.min.js",
        "govuk-frontend/govuk-frontend.min.css",
        "govuk-frontend/govuk-frontend.min.js",
        "wavesurfer/wavesurfer.esm.js",
        "wavesurfer/plugins/regions.esm.js",
        "wavesurfer/wavesurfer.min.js",
        "wavesurfer/plugins/regions.min.js",
        "chart.js/chart.umd.min.js",
    ]:
        assert path in LISTED, path
