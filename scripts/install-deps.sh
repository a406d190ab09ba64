#!/usr/bin/env bash
# Installs the Debian bookworm packages eventlog needs to build, test and run, if missing.
set -euo pipefail
packages=(
  g++ make cmake pkg-config curl ca-certificates
  libpqxx-dev libpq-dev libcurl4-openssl-dev libssl-dev zlib1g-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libcli11-dev libcpp-httplib-dev libgtest-dev libgmock-dev libbenchmark-dev
  clang-format clang-tidy
  dpkg-dev help2man
  postgresql clickhouse-server zookeeper
  wrk python3-psycopg2 prometheus-cpp-dev prometheus
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# Debian's postgresql package would create and start a cluster of its own; ours lives in var/.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod +x /usr/sbin/policy-rc.d
  trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
