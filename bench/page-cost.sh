#!/usr/bin/env bash
# What an open page costs the gateway: an embedded gateway (Release build, default synthetic feeds) is measured for
# SECONDS with no page open, then with headless Chromium showing /dashboard/ (the Orleans Dashboard), /ops and /,
# each alone. CPU from /proc/<pid>/stat (user + system), as seconds of CPU per second (1.0 = one core).
#   dotnet build -c Release && bench/page-cost.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
port=${PORT:-5187}
dll=Gateway/bin/Release/net10.0/PriceActors.Gateway.dll
[ -f "$dll" ] || { echo "build first: dotnet build -c Release" >&2; exit 1; }
(cd Gateway/bin/Release/net10.0 && exec dotnet PriceActors.Gateway.dll --urls "http://127.0.0.1:$port" --Orleans:SiloPort 11199 \
  --Logging:LogLevel:Default Warning >/tmp/page-cost-gateway.log 2>&1) &
gateway=$!
trap 'kill $gateway 2>/dev/null || true; pkill -f "page-cost-profile" 2>/dev/null || true' EXIT
until curl -fsS -o /dev/null "http://127.0.0.1:$port/health/ready" 2>/dev/null; do sleep 0.5; done
sleep 10
cpu() { awk '{ print $14 + $15 }' "/proc/$gateway/stat"; }
measure() { # label
  local before after
  before=$(cpu); sleep "$seconds"; after=$(cpu)
  awk -v a="$before" -v b="$after" -v s="$seconds" -v l="$1" 'BEGIN { printf "%-28s gateway CPU %.3f cores\n", l, (b - a) / 100 / s }'
}
measure "no page"
for path in /dashboard/ /ops /; do
  profile=$(mktemp -d /tmp/page-cost-profile.XXXX)
  chromium --headless --no-sandbox --disable-gpu --user-data-dir="$profile" --remote-debugging-port=0 "http://127.0.0.1:$port$path" >/dev/null 2>&1 &
  browser=$!
  sleep 8
  measure "page open: $path"
  kill $browser 2>/dev/null || true; wait $browser 2>/dev/null || true
  rm -rf "$profile"
  sleep 3
done
measure "no page again"
