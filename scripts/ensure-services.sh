#!/usr/bin/env bash
# Make sure PostgreSQL and Redis are installed and running on 127.0.0.1 for the test suite.
# Installs them with apt-get on Debian when missing; starts them when installed but stopped.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-services: $* missing and apt-get is not available; install it by hand" >&2
    exit 1
  fi
  echo "ensure-services: installing $*"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 && ! command -v pg_isready >/dev/null 2>&1; then
  apt_install postgresql
fi
if ! pg_up; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "ensure-services: starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
pg_up || { echo "ensure-services: PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }

# The tests connect as postgres to database test with trust auth (as on the CI machines).
if ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
  as_root su postgres -c "psql -qc \"create database test\"" >/dev/null 2>&1 || true
fi

# The tests start their own redis-server on a free port; it only has to be installed.
command -v redis-server >/dev/null 2>&1 || apt_install redis-server
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
fi
echo "ensure-services: PostgreSQL and Redis are ready"
