#!/usr/bin/env bash
# Make sure the browser tests can run: Debian's Chromium at /usr/bin/chromium, fonts for it to
# draw text with, poppler-utils (pdftotext, pdftoppm) for reading generated PDF letters, and
# the Node.js packages of the test OpenID Connect provider (tests/oidc, from its lockfile).
# Idempotent: apt-get runs only when something is missing. Never runs `playwright install`
# (it downloads browsers from a CDN): Playwright drives the system Chromium instead.
set -euo pipefail

cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

updated=0
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-browser: $* missing and apt-get is not available; install it by hand" >&2
    exit 1
  fi
  echo "ensure-browser: installing $*"
  if [ "$updated" -eq 0 ]; then
    as_root apt-get update -qq
    updated=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
installed fonts-dejavu-core || missing+=(fonts-dejavu-core)
installed fonts-liberation || missing+=(fonts-liberation)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if ! command -v node >/dev/null 2>&1; then
  missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
fi
command -v npm >/dev/null 2>&1 || apt_install npm

# oidc-provider 9 needs Node.js 20.12 or later (it uses crypto.hash); Debian 12's own nodejs is 18.
node_version=$(node -p 'process.versions.node')
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
              process.exit(a > 20 || (a === 20 && b >= 12) ? 0 : 1)'; then
  echo "ensure-browser: Node.js $node_version is too old for tests/oidc (needs 20.12 or later)" >&2
  exit 1
fi

# The test OpenID Connect provider's packages, exactly as locked; reinstalled when the lock changes.
lock=tests/oidc/package-lock.json
stamp=tests/oidc/node_modules/.installed-$(cksum <"$lock" | cut -d' ' -f1)
if [ ! -e "$stamp" ]; then
  echo "ensure-browser: npm ci in tests/oidc"
  (cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$stamp"
fi

echo "ensure-browser: $(/usr/bin/chromium --version 2>/dev/null), Node.js $node_version," \
  "pdftotext and the OIDC provider's packages are ready"
