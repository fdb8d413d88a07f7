#!/usr/bin/env bash
# Makes sure what the platform needs is running on this machine, installing Debian packages when
# missing: Postgres and Redis (unless DATABASE_URL / REDIS_URL point elsewhere) and the development
# Kafka broker's binary (unless KAFKA_BROKERS points at a real cluster); with --browser also Debian's chromium,
# which the console's browser tests drive (playwright-core downloads no browser). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_ready=0
apt_install() {
  if [ "$apt_ready" = 0 ]; then apt-get update -qq; apt_ready=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
say() { printf '[infra] %s\n' "$*"; }

wait_for() { # description, command...
  local what=$1; shift
  for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  say "$what did not come up"; return 1
}

if [ -z "${DATABASE_URL:-}" ]; then
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
      say "installing PostgreSQL"
      apt_install postgresql
      fresh=1
    fi
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$version" ]; then
      version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
      pg_createcluster "$version" main >/dev/null
      fresh=1
    fi
    if [ "${fresh:-0}" = 1 ]; then
      # A new local cluster for development: trust loopback connections, like the CI machine's.
      hba=/etc/postgresql/$version/main/pg_hba.conf
      sed -ri 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
      sed -ri 's/^(local\s+all\s+all\s+)\S+/\1trust/' "$hba"
    fi
    say "starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster --skip-systemctl-redirect "$version" main restart
    wait_for "PostgreSQL" pg_isready -h 127.0.0.1 -p 5432 -q
  fi
fi

if [ -z "${REDIS_URL:-}" ]; then
  if ! (command -v redis-cli >/dev/null 2>&1 && redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG); then
    command -v redis-server >/dev/null 2>&1 || { say "installing Redis"; apt_install redis-server; }
    say "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/iop.log
    wait_for "Redis" redis-cli -h 127.0.0.1 -p 6379 ping
  fi
fi

if [ -z "${KAFKA_BROKERS:-}" ]; then
  bash deploy/kafka-dev-broker/build.sh
fi

if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
  say "installing chromium (the console's browser tests)"
  apt_install chromium
fi
