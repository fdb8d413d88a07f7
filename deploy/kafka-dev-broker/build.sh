#!/usr/bin/env bash
# Builds build/kafka-dev-broker from kafka-dev-broker.c, installing
# librdkafka-dev and gcc from Debian when they are missing. Idempotent: does
# nothing when the binary is newer than the source (and this script).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/kafka-dev-broker.c"
out="$here/build/kafka-dev-broker"

fail() { echo "kafka-dev-broker/build.sh: $*" >&2; exit 1; }

if [[ ! -f /usr/include/librdkafka/rdkafka_mock.h ]] || ! command -v gcc >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 ||
    fail "need gcc and librdkafka-dev (>= 2.0, with rdkafka_mock.h); no apt-get to install them"
  [[ "$(id -u)" == 0 ]] || fail "need gcc and librdkafka-dev; run as root or install them: apt-get install librdkafka-dev gcc"
  echo "kafka-dev-broker/build.sh: installing librdkafka-dev and gcc" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || fail "apt-get update failed"
  apt-get install -y -qq librdkafka-dev gcc >&2 || fail "apt-get install librdkafka-dev gcc failed"
  [[ -f /usr/include/librdkafka/rdkafka_mock.h ]] ||
    fail "librdkafka-dev installed but has no rdkafka_mock.h (need librdkafka >= 2.0)"
fi

if [[ -x "$out" && "$out" -nt "$src" && "$out" -nt "${BASH_SOURCE[0]}" ]]; then
  exit 0
fi

mkdir -p "$here/build"
# Compile to a temp name and rename, so a concurrent run never executes a
# half-written binary.
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
gcc -std=c11 -O2 -g -Wall -Wextra -Werror -o "$tmp" "$src" -lrdkafka >&2 ||
  fail "compiling $src failed"
mv -f "$tmp" "$out"
echo "kafka-dev-broker/build.sh: built $out" >&2
