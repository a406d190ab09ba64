#include "outbox/pg_pool.h"

#include <pqxx/nontransaction>

#include "outbox/pg_errors.h"
#include "outbox/pg_watchdog.h"

namespace eventlog {
namespace {

using std::chrono::milliseconds;

// Bounds the first call on a new session, before its statement_timeout is known.
constexpr milliseconds kNewSessionSilence{10000};

// Sets up a new session and returns its statement_timeout in ms (0: none), as the server will
// enforce it: the DSN's options, or the role's or database's own setting. The session runs
// without JIT: eventlog's statements are short, and PostgreSQL compiled some of them first
// because their plans look costly over a big outbox (an idle claim's probe took 190 ms with
// 2,000,000 rows waiting, all of it compiling). One round trip.
milliseconds SetUpSession(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  return milliseconds(
      tx.exec1("SET jit = off; "
               "SELECT setting::bigint FROM pg_settings WHERE name = 'statement_timeout'")[0]
          .as<int64_t>());
}

}  // namespace

PgPool::PgPool(std::string database_url, int size, milliseconds pool_wait)
    : url_(std::move(database_url)), pool_wait_(pool_wait) {
  idle_.resize(static_cast<size_t>(size));
}

Status PgPool::Run(const std::function<Status(pqxx::connection&)>& fn) {
  if (PgCallsAborted()) return {StatusCode::kUnavailable, "PostgreSQL calls aborted at shutdown"};
  Slot slot;
  {
    std::unique_lock lock(mu_);
    if (!available_.wait_for(lock, pool_wait_, [&] { return !idle_.empty(); })) {
      return {StatusCode::kUnavailable,
              "no PostgreSQL connection free within " + std::to_string(pool_wait_.count()) + " ms"};
    }
    slot = std::move(idle_.back());
    idle_.pop_back();
  }
  Status s = RunOn(slot, fn);
  if (s.code() == StatusCode::kUnavailable) slot.conn.reset();
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(slot));
  }
  available_.notify_one();
  return s;
}

Status PgPool::RunOn(Slot& slot, const std::function<Status(pqxx::connection&)>& fn) {
  PgWatch opening;  // the new session's first query
  PgWatch watch;    // `fn`
  Status s = CatchPg([&] {
    if (!slot.conn || !slot.conn->is_open()) {
      slot.conn.reset();
      slot.conn = std::make_unique<pqxx::connection>(url_);  // bounded by connect_timeout
      opening.Start(slot.conn->sock(), kNewSessionSilence);
      milliseconds timeout = SetUpSession(*slot.conn);
      opening.Stop();
      slot.silence_limit = timeout > milliseconds(0) ? timeout + kSilenceGrace : milliseconds(0);
    }
    watch.Start(slot.conn->sock(), slot.silence_limit);
    return fn(*slot.conn);
  });
  watch.Stop();
  if (!opening.fired() && !watch.fired()) return s;
  if (PgCallsAborted()) return {StatusCode::kUnavailable, "PostgreSQL call aborted at shutdown"};
  milliseconds limit = opening.fired() ? kNewSessionSilence : slot.silence_limit;
  return {StatusCode::kUnavailable, "PostgreSQL sent nothing for " + std::to_string(limit.count()) +
                                        " ms; connection dropped"};
}

}  // namespace eventlog
