#!/usr/bin/env bash
# Retakes the screenshots in docs/ with Debian's headless Chromium (tools/PriceActors.Screenshots, Playwright):
#   docs/price-page.png          the page of the embedded mode at /#binance:BTCUSDT/5s, once its 5 s chart has candles
#   docs/ops.png                 /ops of the loopback cluster (scripts/cluster-local.sh: 2 silos, 2 gateways, nginx)
#   docs/orleans-dashboard.png   the Orleans Dashboard of the same cluster, once it counts both silos
# Each system runs WARMUP seconds first so the charts have minutes to show; meanwhile console clients stream from the
# cluster (SignalR through each gateway, gRPC through nginx) so /ops has connections to show.
#   scripts/screenshots.sh [WARMUP, default 90]
# Needs Chromium (apt-get install -y chromium; scripts/test.sh installs it) and what cluster-local.sh needs.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
warmup=${1:-90}
port=${SCREENSHOT_PORT:-5197}
cluster_port=${SCREENSHOT_CLUSTER_PORT:-8480}
say() { echo "screenshots.sh: $*" >&2; }
[ -x /usr/bin/chromium ] || { say "Chromium is not installed: apt-get install -y chromium"; exit 1; }

dotnet build tools/PriceActors.Screenshots -c Release --nologo -v q >/dev/null
dotnet build Gateway -c Release --nologo -v q >/dev/null
dotnet build Client -c Release --nologo -v q >/dev/null
shoot() { dotnet tools/PriceActors.Screenshots/bin/Release/net10.0/PriceActors.Screenshots.dll "$@"; }
ready() { until curl -fsS -o /dev/null "$1/health/ready" 2>/dev/null; do sleep 0.5; done; }

gateway=
cluster=
clients=()
cleanup() {
  for client in "${clients[@]}"; do kill "$client" 2>/dev/null || true; done
  if [ -n "$gateway" ]; then kill "$gateway" 2>/dev/null || true; wait "$gateway" 2>/dev/null || true; fi
  if [ -n "$cluster" ]; then CLUSTER_PORT=$cluster_port CLUSTER_DIR=/tmp/priceactors-screenshots scripts/cluster-local.sh stop >/dev/null || true; fi
}
trap cleanup EXIT

say "the embedded mode on http://127.0.0.1:$port, ${warmup} s of synthetic trades"
(cd Gateway/bin/Release/net10.0 && exec dotnet PriceActors.Gateway.dll --urls "http://127.0.0.1:$port" --Orleans:SiloPort 11197 \
  --Logging:LogLevel:Default Warning >/tmp/screenshots-gateway.log 2>&1) &
gateway=$!
ready "http://127.0.0.1:$port"
sleep "$warmup"
shoot "http://127.0.0.1:$port/#binance:BTCUSDT/5s" docs/price-page.png \
  "document.getElementById('status').dataset.state === 'live' && window.priceActors.candles() >= 12
   && [...document.querySelectorAll('#feed-rows [data-field=rate]')].every(td => td.textContent !== '—')"
kill "$gateway"; wait "$gateway" 2>/dev/null || true; gateway=

say "the loopback cluster behind nginx on http://127.0.0.1:$cluster_port, ${warmup} s of synthetic trades"
cluster=1
CLUSTER_PORT=$cluster_port CLUSTER_DIR=/tmp/priceactors-screenshots scripts/cluster-local.sh start >/dev/null
pairs=binance:BTCUSDT,binance:ETHUSDT,okx:BTCUSDT,okx:SOLUSDT,bybit:ETHUSDT,bybit:DOGEUSDT
client() { dotnet Client/bin/Release/net10.0/PriceActors.Client.dll --plain --pairs "$pairs" "$@" >/dev/null 2>&1 & clients+=($!); }
client --url "http://127.0.0.1:$((cluster_port + 1))"
client --url "http://127.0.0.1:$((cluster_port + 2))" --max-rate 2
client --transport grpc --grpc-url "http://127.0.0.1:$((cluster_port + 50))"
sleep "$warmup"
shoot "http://127.0.0.1:$cluster_port/ops" docs/ops.png \
  "document.querySelectorAll('#gateways tr').length === 2 && document.querySelectorAll('#silos tr').length === 2 && document.querySelectorAll('#streams tr').length > 0"
shoot "http://127.0.0.1:$cluster_port/dashboard/" docs/orleans-dashboard.png "/ACTIVE SILOS\\s+2\\b/i.test(document.body.innerText)"
