#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "clickhouse/clickhouse_rows.h"
#include "core/event_sink.h"
#include "eventlog/status.h"

namespace eventlog {

// The recovery check, in pieces a query can take: at most this many ids per query, so that an
// `event_id IN (...)` list stays well below ClickHouse's max_ast_elements (50,000; about 16,600
// ids already exceed it) whatever the batch size.
inline constexpr size_t kMaxIdsPerPresenceQuery = 4000;

// What tells our row from another event under the same id: the MD5 (upper-case hex) of
// "id<TAB>type<TAB>environment<TAB>context", as the presence query computes it on the server.
std::string RowDigest(const OutboxRow& row);

// Which of `rows` are in `qualified_table`: one TSV line per id found, "id<TAB>1" when a
// stored row under it is ours (same digest), "id<TAB>0" when only other events use the id.
std::string PresenceQuery(const std::string& qualified_table, const std::vector<OutboxRow>& rows,
                          const TimeColumn& column);

// The largest answer PresenceQuery can give for `rows` (a line per id), plus room for an
// exception ClickHouse may append to a 200.
size_t PresenceAnswerCap(const std::vector<OutboxRow>& rows);

// Reads a PresenceQuery answer into `out`: present ids and reused ids.
Status ReadPresenceAnswer(std::string_view answer, const std::vector<OutboxRow>& rows,
                          Presence& out);

}  // namespace eventlog
