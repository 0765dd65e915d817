#!/usr/bin/env python3
"""Refresh the vendored front-end files in app/static/vendor from the npm registry.

Reads the pinned list app/static/vendor/packages.json. For each package it runs
`npm pack NAME@VERSION` into a temporary folder, checks the tarball against the registry's
`dist.integrity` (`npm view NAME@VERSION dist.integrity`), extracts it, copies the listed files
and folders into app/static/vendor/DIR, applies the listed string rewrites, and writes
app/static/vendor/manifest.json: for each package its npm name, version, licence (from its
package.json), tarball integrity, and every copied file with its SHA-256.

    python3 scripts/vendor_assets.py          # refresh (also `make assets`)
    python3 scripts/vendor_assets.py --check  # fetch again and fail if anything would change

Standard library only; needs `npm` on PATH and the npm registry.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "app" / "static" / "vendor"
SPEC = VENDOR / "packages.json"
MANIFEST = VENDOR / "manifest.json"
LICENCE_NAMES = ("LICENSE", "LICENCE")


class VendorError(Exception):
    """Something about a package does not match what packages.json pins."""


def npm(*args: str, cwd: Path) -> str:
    """Run npm and return its standard output; fail loudly with its standard error."""
    npm_exe = shutil.which("npm")
    if npm_exe is None:
        raise VendorError("npm is not installed (scripts/ensure-browser.sh installs Node.js)")
    done = subprocess.run(  # noqa: S603
        [npm_exe, *args, "--no-fund", "--no-audit", "--loglevel=error"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise VendorError(f"npm {' '.join(args)} failed:\n{done.stderr.strip()}")
    return done.stdout


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sri_sha512(path: Path) -> str:
    """The Subresource-Integrity form npm uses for tarballs: sha512-BASE64."""
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def fetch(name: str, version: str, workdir: Path) -> tuple[Path, str]:
    """Download NAME@VERSION's tarball and extract it; returns (package folder, integrity)."""
    spec = f"{name}@{version}"
    expected = npm("view", spec, "dist.integrity", cwd=workdir).strip()
    if not expected.startswith("sha512-"):
        raise VendorError(f"{spec}: the registry gives no sha512 integrity ({expected!r})")
    packed = json.loads(
        npm("pack", spec, "--json", "--pack-destination", str(workdir), cwd=workdir)
    )
    tarball = workdir / packed[0]["filename"]
    actual = sri_sha512(tarball)
    if actual != expected:
        raise VendorError(f"{spec}: tarball integrity {actual} != registry's {expected}")
    target = workdir / tarball.name.removesuffix(".tgz")
    with tarfile.open(tarball) as archive:
        archive.extractall(target, filter="data")
    package = target / "package"
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    if meta.get("name") != name or meta.get("version") != version:
        raise VendorError(f"{spec}: the tarball holds {meta.get('name')}@{meta.get('version')}")
    return package, expected


def copy_package(entry: dict, package: Path, base: Path) -> list[dict]:
    """Copy one package's listed files into base/DIR; returns [{path, source}], paths under base."""
    dest = base / entry["dir"]
    copied: list[dict] = []

    def copy(src: Path, rel: str) -> None:
        if not src.is_file():
            raise VendorError(f"{entry['name']}: {src.relative_to(package.parent)} is not in it")
        out = dest / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, out)
        copied.append(
            {"path": out.relative_to(base).as_posix(), "source": src.relative_to(package.parent)}
        )

    for src, rel in entry.get("files", {}).items():
        copy(package / src, rel)
    for src_dir, rel_dir in entry.get("trees", {}).items():
        folder = package / src_dir
        if not folder.is_dir():
            raise VendorError(f"{entry['name']}: folder {src_dir} is not in it")
        for src in sorted(p for p in folder.rglob("*") if p.is_file()):
            copy(src, f"{rel_dir}/{src.relative_to(folder).as_posix()}")
    by_path = {c["path"]: c for c in copied}
    for rel, replacements in entry.get("rewrite", {}).items():
        out = dest / rel
        by_path[out.relative_to(base).as_posix()]["upstream_sha256"] = sha256(out)
        data = out.read_bytes()
        for old, new in replacements:
            if old.encode() not in data:
                raise VendorError(f"{entry['name']}: {old!r} is not in {rel}; check the rewrite")
            data = data.replace(old.encode(), new.encode())
        out.write_bytes(data)
    licence = entry.get("license_text")
    if licence:
        out = dest / licence["path"]
        out.write_text("\n".join(licence["lines"]) + "\n", encoding="utf-8")
        copied.append({"path": out.relative_to(base).as_posix(), "source": "packages.json"})
    for item in copied:
        item["source"] = str(item["source"]).replace("\\", "/")
    return copied


def build(staging: Path, workdir: Path) -> dict:
    """Vendor every package of packages.json into staging (laid out like VENDOR)."""
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    packages = []
    for entry in spec["packages"]:
        name, version = entry["name"], entry["version"]
        print(f"vendor_assets: {name}@{version}", file=sys.stderr)
        package, integrity = fetch(name, version, workdir)
        meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
        copied = copy_package(entry, package, staging)
        licence_files = [
            c["path"] for c in copied if Path(c["path"]).name.upper().startswith(LICENCE_NAMES)
        ]
        if not licence_files:
            raise VendorError(f"{name}: no licence file copied; list one in packages.json")
        record = {
            "name": name,
            "version": version,
            "license": meta.get("license"),
            "integrity": integrity,
            "dir": entry["dir"],
            "license_file": licence_files[0],
            "files": [
                {"path": c["path"], "sha256": sha256(staging / c["path"]), **c}
                for c in sorted(copied, key=lambda c: c["path"])
            ],
        }
        if entry.get("rewrite"):
            record["rewritten"] = {
                "files": sorted(f"{entry['dir']}/{rel}" for rel in entry["rewrite"]),
                "why": entry.get("rewrite_reason", ""),
            }
        if entry.get("license_text"):
            record["license_source"] = entry["license_text"]["source"]
        packages.append(record)
    return {
        "_comment": "Written by scripts/vendor_assets.py from packages.json; do not edit by hand.",
        "packages": packages,
    }


def tree(folder: Path) -> dict[str, str]:
    """Every file under folder (but packages.json) with its SHA-256."""
    return {
        p.relative_to(folder).as_posix(): sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).as_posix() != SPEC.name
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="fail if a fresh fetch differs from what is vendored"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vendor-assets-") as tmp:
        workdir, staging = Path(tmp) / "npm", Path(tmp) / "vendor"
        workdir.mkdir()
        staging.mkdir()
        try:
            manifest = build(staging, workdir)
        except VendorError as error:
            print(f"vendor_assets: {error}", file=sys.stderr)
            return 1
        (staging / MANIFEST.name).write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
        fresh, current = tree(staging), tree(VENDOR)
        if args.check:
            changed = sorted(set(fresh.items()) ^ set(current.items()))
            for path in sorted({path for path, _ in changed}):
                print(f"vendor_assets: differs: {path}", file=sys.stderr)
            if not changed:
                print("vendor_assets: app/static/vendor matches the registry", file=sys.stderr)
            return 1 if changed else 0
        for child in VENDOR.iterdir():
            if child.name == SPEC.name:
                continue
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
        for rel in fresh:
            out = VENDOR / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(staging / rel, out)
    print(f"vendor_assets: {len(fresh)} files in {VENDOR.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
