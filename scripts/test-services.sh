#!/usr/bin/env bash
# What the test suite needs besides Python packages, started or installed when missing:
# PostgreSQL (127.0.0.1:5432, database `test`), Redis (127.0.0.1:6379; without a
# redis-server the tests fall back to an embedded Valkey by themselves) and Debian's
# Chromium for the browser tests (Playwright downloads no browser here).
set -uo pipefail

log() { echo "[test-services] $*"; }

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && command -v pg_ctlcluster >/dev/null 2>&1; then
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null || log "PostgreSQL is not reachable: its tests will fail"

if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && command -v redis-server >/dev/null 2>&1; then
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
fi

if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  log "installing Debian's chromium"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
[ -x /usr/bin/chromium ] || log "no /usr/bin/chromium: the browser tests will fail"
exit 0
