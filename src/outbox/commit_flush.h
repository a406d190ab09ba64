#pragma once

#include <pqxx/transaction_base>

namespace eventlog {

// How durable the commit of a ledger transaction is (SET LOCAL synchronous_commit), whatever the
// role's or the database's default (off is a common tuning). Free functions on the caller's
// transaction: as thread-safe as the transaction.

// Claims and renewals must survive a PostgreSQL crash: a lost claim would hand rows already in
// ClickHouse to the next claim as new ones.
inline void ForceCommitFlush(pqxx::transaction_base& tx) {
  tx.exec0("SET LOCAL synchronous_commit = on");
}

// For commits whose loss is harmless: a batch completed or released reappears in the ledger and
// its recovery check finds its rows already in ClickHouse; a truncation or an empty tick is done
// again by the next round.
inline void SkipCommitFlush(pqxx::transaction_base& tx) {
  tx.exec0("SET LOCAL synchronous_commit = off");
}

}  // namespace eventlog
