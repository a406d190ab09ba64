#include "tests/faults/fault_checks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <sstream>
#include <thread>

#include "clickhouse/http_client.h"
#include "tests/faults/fault_env.h"

namespace eventlog::faults {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// The first few members of `a` missing from `b`, for a readable failure.
std::string Missing(const std::multiset<std::string>& a, const std::multiset<std::string>& b,
                    size_t* count) {
  std::vector<std::string> diff;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(diff));
  *count = diff.size();
  std::string out;
  for (size_t i = 0; i < diff.size() && i < 10; ++i) out += diff[i] + " ";
  return out;
}

}  // namespace

void PgExec(const std::string& sql) {
  try {
    pqxx::connection conn(kDatabaseUrl);
    pqxx::work tx(conn);
    tx.exec(sql);
    tx.commit();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "PostgreSQL: " << sql << ": " << e.what();
  }
}

int64_t PgCount(const std::string& sql) {
  try {
    pqxx::connection conn(kDatabaseUrl);
    pqxx::nontransaction tx(conn);
    return tx.exec1(sql)[0].as<int64_t>();
  } catch (const std::exception&) {
    return -1;
  }
}

std::vector<std::string> PgStrings(const std::string& sql) {
  std::vector<std::string> out;
  try {
    pqxx::connection conn(kDatabaseUrl);
    pqxx::nontransaction tx(conn);
    for (const auto& row : tx.exec(sql)) out.emplace_back(row[0].c_str());
  } catch (const std::exception& e) {
    ADD_FAILURE() << "PostgreSQL: " << sql << ": " << e.what();
  }
  return out;
}

std::string ChQuery(const std::string& sql) {
  ClickHouseOptions o;
  o.port = kChHttpPort;
  o.user = "eventlog";
  o.password = "eventlog";
  o.connect_timeout_ms = 1000;
  o.timeout_ms = 30000;
  ClickHouseClient client(o);
  auto r = client.Execute(sql);
  if (!r.ok()) return "ERROR: " + r.status().ToString();
  std::string body = r.value();
  while (!body.empty() && body.back() == '\n') body.pop_back();
  return body;
}

int64_t ChCount() {
  std::string answer = ChQuery("SELECT count() FROM event_log");
  if (answer.rfind("ERROR: ", 0) == 0) return -1;
  return std::stoll(answer);
}

int64_t PendingRows() {
  return PgCount(
      "SELECT (SELECT count(*) FROM eventlog_unclaimed) + (SELECT count(*) FROM eventlog_batches)");
}

bool WaitDrained(std::chrono::milliseconds timeout, double* drain_s) {
  auto start = std::chrono::steady_clock::now();
  bool drained =
      WaitUntil([] { return PendingRows() == 0; }, timeout, std::chrono::milliseconds(50));
  *drain_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return drained;
}

int64_t CountLogLines(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  std::string line;
  int64_t n = 0;
  while (std::getline(in, line)) n += line.find(needle) != std::string::npos ? 1 : 0;
  return n;
}

void RecordFigures(const Figures& f) {
  std::ostringstream line;
  line.setf(std::ios::fixed);
  line.precision(1);
  line << "FIGURES case=" << f.case_name << " committed=" << f.committed
       << " delivered=" << f.delivered << " duplicates=" << f.duplicates
       << " dead_letters=" << f.dead_letters << " drain_s=" << f.drain_s;
  if (!f.extra.empty()) line << " " << f.extra;
  std::cout << line.str() << std::endl;
  std::ofstream(VarDir() + "/figures.txt", std::ios::app) << line.str() << "\n";
}

void ExpectExactlyOnce(const std::vector<std::string>& expected, const std::string& key_expr,
                       Figures& f) {
  f.committed = static_cast<int64_t>(expected.size());
  std::string counts = ChQuery("SELECT count(), uniqExact(event_id) FROM event_log FORMAT TSV");
  int64_t count = -1, uniq = -1;
  std::istringstream(counts) >> count >> uniq;
  ASSERT_GE(count, 0) << "ClickHouse: " << counts;
  f.delivered = count;
  f.duplicates = count - uniq;
  EXPECT_EQ(count, uniq) << "duplicates in event_log";
  EXPECT_EQ(uniq, f.committed) << "event_log does not hold exactly the committed events";
  std::string keys = ChQuery("SELECT " + key_expr + " FROM event_log FORMAT TSV");
  ASSERT_EQ(keys.rfind("ERROR: ", 0), std::string::npos) << keys;
  std::vector<std::string> got_lines = Lines(keys);
  std::multiset<std::string> got(got_lines.begin(), got_lines.end());
  std::multiset<std::string> want(expected.begin(), expected.end());
  size_t lost = 0, extra = 0;
  std::string lost_sample = Missing(want, got, &lost);
  std::string extra_sample = Missing(got, want, &extra);
  EXPECT_EQ(lost, 0u) << "committed but not in ClickHouse (first 10): " << lost_sample;
  EXPECT_EQ(extra, 0u) << "in ClickHouse but not expected once (first 10): " << extra_sample;
}

void ExpectUsersDeliveredOnce(Figures& f) {
  ExpectExactlyOnce(PgStrings("SELECT email FROM users"),
                    "visitParamExtractString(event_context, 'email')", f);
}

void ExpectStatusDrained(Figures& f) {
  std::string out;
  ASSERT_EQ(RunEventlog({"status", "--json"}, "status", &out), 0) << out;
  // Log lines (JSON too) may precede the answer: it is the last top-level object printed.
  auto start = out.rfind("\n{\n");
  start = start == std::string::npos ? out.find('{') : start + 1;
  auto status = nlohmann::json::parse(out.substr(start), nullptr, false);
  ASSERT_FALSE(status.is_discarded()) << out;
  EXPECT_EQ(status.value("pending", -1), 0) << out;
  f.dead_letters = status.value("dead_letters", -1);
}

}  // namespace eventlog::faults
