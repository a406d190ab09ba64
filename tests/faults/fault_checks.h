#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tests/faults/process.h"  // WaitUntil

namespace eventlog::faults {

// PostgreSQL of the suite, one short connection per call. PgCount returns -1 when the server
// cannot answer (it may be down on purpose); PgExec fails the test on an error.
void PgExec(const std::string& sql);
int64_t PgCount(const std::string& sql);
std::vector<std::string> PgStrings(const std::string& sql);

// ClickHouse of the suite over HTTP: the answer without its trailing newline, or
// "ERROR: <status>" when the query failed.
std::string ChQuery(const std::string& sql);

// count() of event_log; -1 while ClickHouse cannot answer.
int64_t ChCount();

// Rows not yet in ClickHouse: the outbox plus the ledger (-1 while PostgreSQL is down).
int64_t PendingRows();

// Waits until the outbox and the ledger are empty; false after `timeout`. `drain_s` gets the
// seconds it took.
bool WaitDrained(std::chrono::milliseconds timeout, double* drain_s);

// Lines of the file at `path` that contain `needle` (a child's log).
int64_t CountLogLines(const std::string& path, const std::string& needle);

// One line per case, for the lead's summary: stdout and var/faults/figures.txt.
struct Figures {
  std::string case_name;
  int64_t committed = 0;
  int64_t delivered = 0;   // count() in event_log
  int64_t duplicates = 0;  // count() - uniqExact(event_id)
  int64_t dead_letters = 0;
  double drain_s = 0;
  std::string extra;  // "key=value ..." specific to the case
};
void RecordFigures(const Figures& f);

// ClickHouse holds each expected event exactly once and nothing else:
// count() == uniqExact(event_id) == expected.size(), and the keys (`key_expr` of each row,
// e.g. "toString(event_id)") are exactly `expected`. Fills delivered/duplicates/committed.
void ExpectExactlyOnce(const std::vector<std::string>& expected, const std::string& key_expr,
                       Figures& f);

// As above for the users service: the keys are the emails of the committed users.
void ExpectUsersDeliveredOnce(Figures& f);

// `eventlog status --json` agrees that nothing is pending; fills f.dead_letters from it.
void ExpectStatusDrained(Figures& f);

}  // namespace eventlog::faults
