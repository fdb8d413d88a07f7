#!/usr/bin/env bash
# The whole test suite: lint (with module boundaries), typecheck, unit tests, then the integration
# and end-to-end tests against real Postgres and Redis and a Kafka-protocol broker (Apache Kafka when
# KAFKA_BROKERS or Docker gives one; otherwise the development broker, librdkafka's mock cluster). `.ci/run` runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # Exactly what the lockfile pins (it holds every platform's optional binaries, so npm ci accepts it here).
  npm ci --no-audit --no-fund
fi
bash scripts/ensure-infra.sh --browser

echo "== format, lint and typecheck"
npx prettier --check . --log-level warn
npx nx run-many -t lint typecheck --parallel=2 --outputStyle=static
# The projects' typecheck covers their sources; this covers everything else TypeScript: tests, kits, scripts, benchmarks.
npx tsc --noEmit -p tsconfig.json
echo "== unit tests"
npx jest --ci --selectProjects unit
echo "== integration and end-to-end tests (real Postgres and Redis; a Kafka-protocol broker: Apache Kafka if given, else the development broker)"
npx jest --ci --selectProjects integration --runInBand
