#!/usr/bin/env bash
# Run the date-sensitive tests (`-m dates`) with the system clock moved by libfaketime:
# the day the UK clocks go forward, a leap day, and a year from today. Every rule that
# depends on "now" takes the app's injected clock, so these must pass on any date. The date
# rules do not depend on the database, so these runs use SQLite (the full suite covers both).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v faketime >/dev/null 2>&1; then
  as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
  echo "test-any-date: installing faketime"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq faketime >/dev/null
fi

year_from_now=$(date -u -d '+1 year' '+%Y-%m-%d 09:00:00')
for moment in "2027-03-28 00:30:00" "2028-02-29 23:30:00" "$year_from_now"; do
  echo "test-any-date: the date-sensitive tests at $moment UTC"
  # '@' starts the clock at that moment and lets it run at the real rate. The monotonic clock
  # is moved with it (Python's sleep fails with EINVAL under libfaketime 0.9.10 otherwise);
  # tests/conftest.py keeps the library out of the servers the tests start.
  faketime -f "@$moment" \
    .venv/bin/python -m pytest -m dates -k "not postgres" -q -p no:cacheprovider "$@"
done
