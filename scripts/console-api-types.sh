#!/usr/bin/env bash
# The console's API types, generated from the services' OpenAPI documents (docs/api/*.openapi.json, which
# `npm run openapi` writes from the code), so that a changed endpoint breaks the console's build, not its user.
#   npm run console:api-types             write apps/console/src/api/generated/<service>.ts
#   npm run console:api-types -- --check  write nothing; exit 1 naming the files that are out of date
# The console's typecheck and build run the check first.
set -euo pipefail
cd "$(dirname "$0")/.."
out=apps/console/src/api/generated
check=0
[ "${1:-}" = "--check" ] && check=1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for doc in docs/api/*.openapi.json; do
  service=$(basename "$doc" .openapi.json)
  node node_modules/openapi-typescript/bin/cli.js "$doc" --output "$tmp/$service.ts" --alphabetize --root-types --root-types-no-schema-prefix >/dev/null 2>"$tmp/$service.err" ||
    { cat "$tmp/$service.err" >&2; exit 1; }
done

stale=()
for file in "$tmp"/*.ts "$out"/*.ts; do
  [ -e "$file" ] || continue
  name=$(basename "$file")
  cmp -s "$tmp/$name" "$out/$name" || stale+=("$out/$name")
done
if [ "$check" = 1 ]; then
  if [ ${#stale[@]} -gt 0 ]; then
    printf 'out of date with docs/api (run `npm run console:api-types`): %s\n' "${stale[@]}" >&2
    exit 1
  fi
  exit 0
fi
mkdir -p "$out"
rm -f "$out"/*.ts
cp "$tmp"/*.ts "$out"/
printf 'wrote %s\n' "$out"/*.ts
