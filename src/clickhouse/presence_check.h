#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/row_codec.h"
#include "eventlog/event_sink.h"
#include "eventlog/status.h"

namespace eventlog {

// The recovery check, in pieces a query can take: at most this many ids per query, so that an
// `event_id IN (...)` list stays well below ClickHouse's max_ast_elements (50,000; about 16,600
// ids already exceed it) whatever the batch size.
inline constexpr size_t kMaxIdsPerPresenceQuery = 4000;

// Which of `rows` are in `qualified_table`: one TSV line per row found, with the columns that
// tell our row from another event under the same id (id, type, environment, context).
std::string PresenceQuery(const std::string& qualified_table, const std::vector<OutboxRow>& rows,
                          const TimeColumn& column);

// The largest answer PresenceQuery can give for `rows` (every row found, escaped), plus room
// for an exception ClickHouse may append to a 200.
size_t PresenceAnswerCap(const std::vector<OutboxRow>& rows);

// Reads a PresenceQuery answer into `out`: a row whose type, environment and context match
// ours is present; any other row under one of our ids means the id was reused.
Status ReadPresenceAnswer(std::string_view answer, const std::vector<OutboxRow>& rows,
                          Presence& out);

}  // namespace eventlog
