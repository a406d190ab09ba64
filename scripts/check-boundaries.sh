#!/usr/bin/env bash
# The packages each folder may include (the folder libraries of cmake/folder_libraries.cmake link
# only these; our own folders are enforced by the include views at compile time). Tests may use
# anything. Exits 1, naming the file and the header, when a folder reaches a package not its own.
# Usage: check-boundaries.sh [build directory]
set -euo pipefail
cd "$(dirname "$0")/.."

# header pattern (extended regex, after "#include <")  ->  where it may appear
rules=(
  'pqxx/|libpq-fe\.h'         '^(src/outbox/|include/eventlog/outbox_writer\.h)'
  'curl/|zlib\.h|openssl/'    '^src/clickhouse/'
  'httplib\.h'                '^src/service/'
  'spdlog/|prometheus/|fmt/'  '^src/observe/'
  'CLI/'                      '^apps/'
)
status=0
for ((i = 0; i < ${#rules[@]}; i += 2)); do
  header=${rules[i]} allowed=${rules[i + 1]}
  while IFS=: read -r file _ line; do
    [[ $file =~ _test\.cc$ || $file =~ $allowed ]] && continue
    echo "boundaries: $file includes ${line#\#include } (only ${allowed#^} may)" >&2
    status=1
  done < <(git grep -n -E "#include <($header)" -- src apps include || true)
done
[[ $status -eq 0 ]] && echo "boundaries: every package is included only where its folder may"

# With a build directory: what each folder library links, from CMake's own dependency graph.
# libpqxx/libpq only under outbox, libcurl only under clickhouse (so not under relay or service).
if [[ $# -gt 0 ]]; then
  graph=$(mktemp -d)
  trap 'rm -rf "$graph"' EXIT
  (cd "$1" && cmake --graphviz="$graph/deps.dot" . >/dev/null)
  forbid() {  # forbid <folder library> <label pattern> <what>
    if grep -q -E "label = \"($2)\"" "$graph/deps.dot.$1"; then
      echo "boundaries: $1 links $3" >&2
      status=1
    fi
  }
  for lib in eventlog_src_core eventlog_src_observe eventlog_src_relay eventlog_src_service \
             eventlog_src_clickhouse; do
    forbid "$lib" 'PkgConfig::PQXX|PkgConfig::PQ' "libpqxx or libpq"
  done
  for lib in eventlog_src_core eventlog_src_observe eventlog_src_relay eventlog_src_service \
             eventlog_src_outbox; do
    forbid "$lib" 'CURL::libcurl' "libcurl"
  done
  [[ $status -eq 0 ]] && echo "boundaries: libpq(xx) only under outbox, libcurl only under clickhouse"
fi
exit $status
