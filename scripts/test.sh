#!/usr/bin/env bash
# The test command (README, CI): works on a fresh machine by itself. Installs what the tests need
# and is missing (Debian's Chromium for the page test, nginx for the loopback cluster, PostgreSQL for the
# cluster), starts a throw-away PostgreSQL on loopback (scripts/servers.sh), builds with warnings as errors,
# runs every test, and ends with one line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Chromium: the page tests drive it headless. nginx: the loopback cluster test balances its gateways with it.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || missing+=(nginx)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing Debian's ${missing[*]}"
  as_root apt-get update -qq
  # RUNLEVEL=1: the packages' own services (nginx on port 80) are not wanted; tests run private instances.
  as_root env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  as_root service nginx stop >/dev/null 2>&1 || true
fi

eval "$(scripts/servers.sh start)"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# A test that hangs (a lost wake-up, say) fails the run after 10 minutes instead of holding CI to its time limit.
dotnet test PriceActors.sln --logger "console;verbosity=normal" --blame-hang-timeout 10m --blame-hang-dump-type none "$@" 2>&1 | tee "$log" || status=$?

# With the normal console logger, dotnet test ends each test run with lines "  Passed: N", "  Failed: N", "  Skipped: N".
count() { { grep -E "^ +$1: +[0-9]+$" "$log" || true; } | awk '{s+=$2} END {print s+0}'; }
passed=$(count Passed); failed=$(count Failed); skipped=$(count Skipped)
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  status=1
fi
if [ "$skipped" -ne 0 ]; then
  echo "test.sh: $skipped tests were skipped; skipping is not allowed here" >&2
  status=1
fi
if [ "$failed" -ne 0 ]; then
  # The failures again at the end, where a truncated log still shows them: each failed test with its message and stack.
  echo "test.sh: the failed tests:"
  awk '/^ +Failed [A-Za-z]/ {on=1; n=0} /^ +Passed [A-Za-z]/ {on=0} on && n < 60 {print; n++}' "$log"
fi
echo "$passed passed, $failed failed"
exit "$status"
