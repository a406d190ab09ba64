#pragma once

#include <string>

namespace eventlog {

// How the rows of a tick are bounded: SQL for its two snapshots, the row (tx_id, id) the rows
// come after and the row they end with. Parameters $1..$6 for the claim's statements; literals for
// a COPY, which takes no parameters.
struct TickBounds {
  std::string done = "$1::pg_snapshot", tick = "$2::pg_snapshot";
  std::string after_tx = "$3::xid8", after_id = "$4::bigint";
  std::string last_tx = "$5::xid8", last_id = "$6::bigint";
};

// The rows of the tick from snapshot `done` to `tick` after row (after_tx, after_id) and up to
// row (last_tx, last_id), in (tx_id, id) order: `columns` of each. Each of the tick's ranges of
// transactions is an index range scan that starts where the rows before stopped, so this reads
// these rows only, whatever the outbox holds besides (rows claimed behind an open transaction,
// rows of transactions still running). The nested loop returns the ranges in order and each
// range's rows in order.
// `ordered`: each range's rows in (tx_id, id) order (a page needs it; a COPY does not).
std::string TickRowsSql(const std::string& columns, const TickBounds& b = {}, bool ordered = true);

}  // namespace eventlog
