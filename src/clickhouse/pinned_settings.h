#pragma once

#include <map>
#include <set>
#include <string>

namespace eventlog {

// Settings every INSERT and recovery check sends, whatever the user's profile says, so that a
// 200 means "every row was written, at once, where a later check will find it" and a check
// answers about every row:
//   input_format_allow_errors_num=0, _ratio=0  a bad row fails the INSERT instead of being
//                                               skipped silently (with a 200)
//   replace_running_query=0      a check with a batch's query_id waits for (is refused while)
//                                the batch's INSERT still runs, instead of cancelling it
//   async_insert=0, wait_for_async_insert=1     (21.11+) a 200 only after the rows are in parts
//   insert_distributed_sync=1 / distributed_foreground_insert=1   a Distributed table answers
//                                after the shards have the rows, not after queueing them locally
//   max_insert_block_size=1048576, input_format_parallel_parsing=0   a batch (at most 1000000
//                                rows) is parsed as one block: no part written before a later
//                                row fails to parse
//   date_time_input_format=basic the times we send are read exactly as written
//   read/result/set/timeout_overflow_mode=throw, skip_unavailable_shards=0   a check that hits
//                                a limit or a missing shard fails instead of answering with
//                                part of the rows (missed rows would be sent twice)
//   send_progress_in_http_headers=0   X-ClickHouse-Summary (written_rows) comes once, at the end
//   insert_deduplicate=1         on Replicated tables it is what makes a shard's block re-sent
//                                through another replica a no-op, where the query_id fence does
//                                not reach (a cluster's exactly-once rests on it)
// Deliberately left to the server: max_partitions_per_insert_block (exceeding it is kTooLarge: the
// batch is split), insert_quorum and fsync settings (durability the operator chooses). Only the
// first three exist everywhere; the rest are sent when the server knows them.

// The query that lists which of the optional settings this server knows (TSV, one a line).
std::string KnownSettingsQuery();

// The settings to pin on a server that knows `known` (names from KnownSettingsQuery).
std::map<std::string, std::string> PinnedSettings(const std::set<std::string>& known);

}  // namespace eventlog
