#!/usr/bin/env bash
# `npm start`: the whole platform on this machine for development. Installs dependencies when the
# lock file moved, makes sure Postgres, Redis and the development Kafka broker's binary are there,
# then hands over to scripts/dev-platform.ts (services, demo network, tokens). Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "[start] the console will be at http://127.0.0.1:3000"

# npm writes node_modules/.package-lock.json on every install: older than the lock file means stale.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[start] installing dependencies"
  # Exactly what the lockfile pins (it holds every platform's optional binaries, so npm ci accepts it here).
  npm ci --no-audit --no-fund
fi

bash scripts/ensure-infra.sh

echo "[start] building the console"
npx vite build --config apps/console/vite.config.mts --logLevel warn

# exec: the terminal's Ctrl-C goes straight to the launcher, which stops what it started.
exec node -r @swc-node/register scripts/dev-platform.ts
