// EVENTLOG_SOURCES: one relay process (or a fleet) serving several application databases, each
// with its own outbox, into the one ClickHouse table. The second database is the test
// database's name with "_b" (eventlog_test_b), created here when missing.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/migration.h"
#include "tests/faults/process.h"
#include "tests/integration/test_env.h"

namespace eventlog::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

// Where the database name sits in a postgresql:// URL: after the first '/' past the host.
std::pair<size_t, size_t> DatabaseNameSpan(const std::string& url) {
  size_t start = url.find('/', url.find("://") + 3);
  if (start == std::string::npos) throw std::runtime_error("no database in " + url);
  ++start;
  size_t end = url.find('?', start);
  return {start, (end == std::string::npos ? url.size() : end) - start};
}

std::string DatabaseOf(const std::string& url) {
  auto [start, length] = DatabaseNameSpan(url);
  return url.substr(start, length);
}

std::string WithDatabase(std::string url, const std::string& database) {
  auto [start, length] = DatabaseNameSpan(url);
  return url.replace(start, length, database);
}

const std::string& UrlA() { return Servers().database_url; }
const std::string& UrlB() {
  static const std::string url = WithDatabase(UrlA(), DatabaseOf(UrlA()) + "_b");
  return url;
}

std::string PgAt(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  pqxx::result r = tx.exec(sql);
  return r.empty() || r[0][0].is_null() ? "" : r[0][0].c_str();
}

void PgExecAt(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::work tx(c);
  tx.exec(sql);
  tx.commit();
}

int64_t PgCountAt(const std::string& url, const std::string& sql) {
  return std::stoll(PgAt(url, sql));
}

// Events of a source not yet delivered: committed and unclaimed, or in an open batch.
int64_t Pending(const std::string& url) {
  return PgCountAt(url,
                   "SELECT (SELECT count(*) FROM eventlog_unclaimed) + "
                   "(SELECT coalesce(sum(event_count), 0) FROM eventlog_batches)");
}

int64_t Delivered(const std::string& url) {
  return PgCountAt(url, "SELECT value FROM eventlog_counters WHERE name = 'delivered'");
}

// `n` events of `type` in one transaction, through the function applications call.
void Enqueue(const std::string& url, const std::string& type, int n) {
  PgExecAt(url, "SELECT count(eventlog_enqueue('" + type +
                    "', jsonb_build_object('i', g))) FROM generate_series(1, " + std::to_string(n) +
                    ") g");
}

// The database `url` names, created when missing (the eventlog role has CREATEDB).
void CreateDatabase(const std::string& url) {
  pqxx::connection admin(UrlA());
  pqxx::nontransaction tx(admin);
  const std::string name = DatabaseOf(url);
  if (!tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", name).empty()) return;
  try {
    tx.exec0("CREATE DATABASE " + tx.quote_name(name));
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() != "42P04") throw;  // duplicate_database: another run made it meanwhile
  }
}

// An unreachable DATABASE_URL: with EVENTLOG_SOURCES set, nothing may use it.
constexpr const char* kUnusedDatabaseUrl = "postgresql://eventlog:eventlog@127.0.0.1:1/unused";

std::string SourcesValue() { return UrlA() + " " + UrlB(); }

// The environment of an `eventlog relay` child serving both sources.
faults::Env RelayEnv(const faults::Env& extra = {}) {
  const TestServers& s = Servers();
  faults::Env env = {{"PATH", "/usr/bin:/bin"},
                     {"EVENTLOG_SOURCES", SourcesValue()},
                     {"DATABASE_URL", kUnusedDatabaseUrl},
                     {"CLICKHOUSE_HOST", s.clickhouse.host},
                     {"CLICKHOUSE_PORT", std::to_string(s.clickhouse.port)},
                     {"CLICKHOUSE_USER", s.clickhouse.user},
                     {"CLICKHOUSE_PASSWORD", s.clickhouse.password},
                     {"CLICKHOUSE_SCHEMA", s.clickhouse.database},
                     {"ENVIRONMENT", "Test"},
                     {"LOG_FORMAT", "json"},
                     {"LOG_LEVEL", "info"}};
  for (const auto& [k, v] : extra) env[k] = v;
  return env;
}

// The same settings for RunEventlog (a shell command line).
std::string CliEnv() {
  const TestServers& s = Servers();
  return "EVENTLOG_SOURCES='" + SourcesValue() + "' DATABASE_URL=" + kUnusedDatabaseUrl +
         " CLICKHOUSE_HOST=" + s.clickhouse.host +
         " CLICKHOUSE_PORT=" + std::to_string(s.clickhouse.port) +
         " CLICKHOUSE_USER=" + s.clickhouse.user + " CLICKHOUSE_PASSWORD=" + s.clickhouse.password +
         " CLICKHOUSE_SCHEMA=" + s.clickhouse.database + " LOG_FORMAT=json";
}

// An `eventlog relay` child with its JSON log in a file of its own.
class RelayChild {
 public:
  RelayChild(const std::string& name, const faults::Env& extra = {})
      : log_path_("/tmp/eventlog-sources-" + std::to_string(getpid()) + "-" + name + ".log") {
    unlink(log_path_.c_str());  // the child appends
    child_ = std::make_unique<faults::ChildProcess>(
        std::vector<std::string>{EVENTLOG_BIN, "--env-file", "/dev/null", "relay"}, RelayEnv(extra),
        "/tmp", log_path_);
  }
  ~RelayChild() {
    child_.reset();  // kills and reaps it if it still runs
    unlink(log_path_.c_str());
  }

  bool IsAlive() { return child_->IsAlive(); }

  // SIGTERM, then the exit code (-1 when it did not end within 20 s).
  int Stop() {
    child_->Signal(SIGTERM);
    return child_->WaitFor(seconds(20)) ? child_->exit_code() : -1;
  }

  std::string LogText() const {
    std::ifstream f(log_path_);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  }

  // Every line of the log that is a JSON object.
  std::vector<nlohmann::json> LogLines() const {
    std::vector<nlohmann::json> lines;
    std::ifstream f(log_path_);
    for (std::string line; std::getline(f, line);) {
      auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (j.is_object()) lines.push_back(std::move(j));
    }
    return lines;
  }

  // The events each source's thread reported delivered ("batch delivered" lines), by the
  // "source" field; lines without one under "".
  std::map<std::string, int64_t> DeliveredBySource() const {
    std::map<std::string, int64_t> by_source;
    for (const auto& j : LogLines()) {
      if (j.value("message", "") != "batch delivered") continue;
      by_source[j.value("source", "")] += j.value("delivered", int64_t{0});
    }
    return by_source;
  }

  // Log lines at warn level or above, for failure messages.
  std::string Problems() const {
    std::string out;
    for (const auto& j : LogLines()) {
      std::string level = j.value("level", "");
      if (level != "info" && level != "debug") out += j.dump() + "\n";
    }
    return out;
  }

 private:
  std::string log_path_;
  std::unique_ptr<faults::ChildProcess> child_;
};

// Whether a source's label (its connection string without the password; values quoted, as
// in dbname='eventlog_test_b') names the database whose name ends in `suffix`.
bool LabelNames(const std::string& label, const std::string& suffix) {
  return label.find(suffix + "'") != std::string::npos ||
         label.find(suffix + "?") != std::string::npos ||
         (label.size() >= suffix.size() &&
          label.compare(label.size() - suffix.size(), suffix.size(), suffix) == 0);
}

// What tells the second database's name from the first's ("_b").
std::string SuffixB() { return DatabaseOf(UrlB()).substr(DatabaseOf(UrlA()).size()); }

// `eventlog relay` with EVENTLOG_SOURCES=`value` (and working servers otherwise), killed after
// 20 s should it accept the value and run.
CliRun RunBadSources(const std::string& value) {
  return RunCommand("cd /tmp && timeout -s KILL 20 env " + ServerEnv() + " EVENTLOG_SOURCES='" +
                    value + "' " + EVENTLOG_BIN + " --env-file /dev/null relay");
}

class Sources : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();  // the first database: migrated, tables empty
    CreateDatabase(UrlB());
    MigrateB();
    PgExecAt(UrlB(),
             "TRUNCATE users, event_outbox, eventlog_batches, event_dead_letters, "
             "eventlog_delivery_lag; "
             "UPDATE eventlog_counters SET value = 0");
  }

  // Unless every PostgreSQL migration is recorded there already (MigrateAndRelayServeEverySource
  // drops the database and migrates it itself).
  static void MigrateB() {
    const bool has_ledger =
        PgAt(UrlB(), "SELECT to_regclass('eventlog_schema_migrations') IS NOT NULL") == "t";
    if (has_ledger &&
        PgCountAt(UrlB(),
                  "SELECT count(*) FROM eventlog_schema_migrations WHERE target = "
                  "'postgres'") == static_cast<int64_t>(PostgresMigrations().size())) {
      return;
    }
    CliRun r = RunEventlog(ServerEnv() + " EVENTLOG_SOURCES=" + UrlB(), "migrate");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  int64_t ChCountOf(const std::string& type) {
    return std::stoll(ChScalar("SELECT count() FROM event_log WHERE event_type = '" + type + "'"));
  }

  // Until ClickHouse holds `total` events and neither source has any pending.
  bool WaitDelivered(int64_t total, milliseconds timeout) {
    return WaitFor(
        [&] { return ChCount() >= total && Pending(UrlA()) == 0 && Pending(UrlB()) == 0; },
        timeout);
  }
};

// `eventlog migrate` migrates every database EVENTLOG_SOURCES names (not DATABASE_URL, which
// points nowhere here), and one relay process delivers every source's events exactly once,
// logging each source's batches under a "source" field.
TEST_F(Sources, MigrateAndRelayServeEverySource) {
  // A fresh second database, so that only this migrate can have made its tables.
  {
    pqxx::connection admin(UrlA());
    pqxx::nontransaction tx(admin);
    tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(DatabaseOf(UrlB())) + " WITH (FORCE)");
  }
  CreateDatabase(UrlB());
  ASSERT_EQ(PgAt(UrlB(), "SELECT to_regclass('event_outbox') IS NULL"), "t");

  CliRun migrate = RunEventlog(CliEnv(), "migrate");
  ASSERT_EQ(migrate.exit_code, 0) << migrate.output;
  EXPECT_EQ(PgAt(UrlB(), "SELECT to_regclass('event_outbox') IS NOT NULL"), "t");
  EXPECT_EQ(PgAt(UrlB(),
                 "SELECT count(*) FROM eventlog_schema_migrations WHERE target = "
                 "'postgres'"),
            std::to_string(PostgresMigrations().size()));
  // Each database is reported on a line of its own.
  std::vector<std::string> migrated;
  std::istringstream lines(migrate.output);
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.value("message", "") == "schema up to date") {
      migrated.push_back(j.value("database", ""));
    }
  }
  ASSERT_EQ(migrated.size(), 2u) << migrate.output;
  EXPECT_FALSE(LabelNames(migrated[0], SuffixB())) << migrated[0];
  EXPECT_TRUE(LabelNames(migrated[1], SuffixB())) << migrated[1];

  Enqueue(UrlA(), "AlphaEvent", 300);
  Enqueue(UrlB(), "BetaEvent", 200);
  RelayChild relay("serve-every", {{"EVENTLOG_BATCH_MAX_ROWS", "100"}});
  bool drained = WaitDelivered(500, seconds(20));
  EXPECT_TRUE(relay.IsAlive()) << relay.LogText();
  EXPECT_EQ(relay.Stop(), 0) << relay.LogText();
  ASSERT_TRUE(drained) << "in ClickHouse: " << ChCount() << ", pending A " << Pending(UrlA())
                       << ", pending B " << Pending(UrlB()) << "\n"
                       << relay.LogText();

  EXPECT_EQ(ChCount(), 500);
  EXPECT_EQ(ChUniqueIds(), 500);
  EXPECT_EQ(ChCountOf("alpha_event"), 300);
  EXPECT_EQ(ChCountOf("beta_event"), 200);
  EXPECT_EQ(Pending(UrlA()), 0);
  EXPECT_EQ(Pending(UrlB()), 0);
  EXPECT_EQ(PgCountAt(UrlA(), "SELECT count(*) FROM eventlog_batches"), 0);
  EXPECT_EQ(PgCountAt(UrlB(), "SELECT count(*) FROM eventlog_batches"), 0);
  EXPECT_EQ(Delivered(UrlA()), 300);  // each source's ledger counted its own events
  EXPECT_EQ(Delivered(UrlB()), 200);
  EXPECT_EQ(relay.Problems(), "");

  // The start-up line lists exactly the two sources; each source's batches carry its label.
  int started = 0;
  for (const auto& j : relay.LogLines()) {
    if (j.value("message", "") != "relay started") continue;
    ++started;
    EXPECT_EQ(j["sources"].size(), 2u) << j.dump();
  }
  EXPECT_EQ(started, 1);
  auto by_source = relay.DeliveredBySource();
  ASSERT_EQ(by_source.size(), 2u) << relay.LogText();
  for (const auto& [label, delivered] : by_source) {
    // The URL as the user wrote it, without its password.
    EXPECT_EQ(label.rfind("postgresql://", 0), 0u) << label;
    EXPECT_NE(label.find(":***@"), std::string::npos) << label;
    const bool is_b = LabelNames(label, SuffixB());
    EXPECT_EQ(delivered, is_b ? 200 : 300) << label;
  }
}

// A backlog in one source does not hold back another source's event: the quiet source's event
// reaches ClickHouse while the busy source's backlog is still being delivered.
TEST_F(Sources, ABusySourceDoesNotStarveAQuietOne) {
  constexpr int64_t kBacklog = 300000;
  // Batches of 200 rows: the backlog takes ~12 s to drain on a 2-core machine, the quiet
  // source's event a few hundred milliseconds (its poll interval and one INSERT).
  // Written straight into the table: eventlog_enqueue takes ~10 s for 300,000 rows.
  PgExecAt(UrlA(),
           "INSERT INTO event_outbox (event_id, event_type, event_date_time, environment, "
           "event_context) SELECT gen_random_uuid(), 'busy_a', now(), 'Test', "
           "jsonb_build_object('i', g)::text FROM generate_series(1, " +
               std::to_string(kBacklog) + ") g");
  const auto started = SteadyClock::now();
  RelayChild relay("fairness", {{"EVENTLOG_BATCH_MAX_ROWS", "200"}});
  ASSERT_TRUE(WaitFor([&] { return ChCountOf("busy_a") > 0; }, seconds(20))) << relay.LogText();

  pqxx::connection quiet(UrlB());
  pqxx::work tx(quiet);
  tx.exec("SELECT eventlog_enqueue('QuietB', '{\"k\":1}'::jsonb)");
  const auto committed = SteadyClock::now();  // from just before the commit: errs long
  tx.commit();
  int64_t busy_when_seen = -1;
  const bool seen = WaitFor(
      [&] {
        if (ChCountOf("quiet_b") == 0) return false;
        busy_when_seen = ChCountOf("busy_a");  // read after: at most what it was then
        return true;
      },
      seconds(20));
  const auto took =
      std::chrono::duration_cast<milliseconds>(SteadyClock::now() - committed).count();
  std::cout << "[ Sources  ] the quiet source's event took " << took << " ms; the busy source had "
            << busy_when_seen << " of " << kBacklog << " events in ClickHouse then" << std::endl;
  ASSERT_TRUE(seen) << relay.LogText();
  EXPECT_LT(busy_when_seen, kBacklog);
  EXPECT_LT(took, 5000);

  // And the backlog itself still arrives, exactly once.
  bool drained = WaitDelivered(kBacklog + 1, seconds(60));
  std::cout << "[ Sources  ] the busy source's backlog took "
            << std::chrono::duration_cast<milliseconds>(SteadyClock::now() - started).count()
            << " ms" << std::endl;
  EXPECT_EQ(relay.Stop(), 0) << relay.Problems();
  ASSERT_TRUE(drained) << "in ClickHouse: " << ChCount() << ", pending A " << Pending(UrlA())
                       << ", pending B " << Pending(UrlB());
  EXPECT_EQ(ChCount(), kBacklog + 1);
  EXPECT_EQ(ChUniqueIds(), kBacklog + 1);
  EXPECT_EQ(ChCountOf("busy_a"), kBacklog);
  EXPECT_EQ(ChCountOf("quiet_b"), 1);
  EXPECT_EQ(Delivered(UrlA()), kBacklog);
  EXPECT_EQ(Delivered(UrlB()), 1);
  EXPECT_EQ(relay.Problems(), "");
}

// Two relay processes with the same EVENTLOG_SOURCES share both sources while applications
// keep writing: every event arrives once, and both processes deliver some.
TEST_F(Sources, AFleetSharesEverySource) {
  // A backlog for both to compete for from the start, then small transactions for ~3 s.
  Enqueue(UrlA(), "FleetA", 2000);
  Enqueue(UrlB(), "FleetB", 2000);
  int64_t written_a = 2000, written_b = 2000;
  const faults::Env small_batches = {{"EVENTLOG_BATCH_MAX_ROWS", "50"}};
  RelayChild first("fleet-1", small_batches);
  RelayChild second("fleet-2", small_batches);

  std::atomic<bool> writer_failed{false};
  std::thread writer([&] {
    try {
      pqxx::connection a(UrlA()), b(UrlB());
      const auto until = SteadyClock::now() + seconds(3);
      for (int i = 0; SteadyClock::now() < until; ++i) {
        const int n = 1 + i % 7;
        const bool to_a = i % 2 == 0;
        pqxx::work tx(to_a ? a : b);
        tx.exec("SELECT count(eventlog_enqueue('" + std::string(to_a ? "FleetA" : "FleetB") +
                "', jsonb_build_object('i', g))) FROM generate_series(1, " + std::to_string(n) +
                ") g");
        tx.commit();
        (to_a ? written_a : written_b) += n;
        std::this_thread::sleep_for(milliseconds(3));
      }
    } catch (const std::exception& e) {
      std::cerr << "writer: " << e.what() << "\n";
      writer_failed = true;
    }
  });
  writer.join();
  ASSERT_FALSE(writer_failed);
  const int64_t total = written_a + written_b;

  bool drained = WaitDelivered(total, seconds(30));
  EXPECT_TRUE(first.IsAlive());
  EXPECT_TRUE(second.IsAlive());
  EXPECT_EQ(first.Stop(), 0) << first.Problems();
  EXPECT_EQ(second.Stop(), 0) << second.Problems();
  ASSERT_TRUE(drained) << "in ClickHouse: " << ChCount() << " of " << total << ", pending A "
                       << Pending(UrlA()) << ", pending B " << Pending(UrlB());

  EXPECT_EQ(ChCount(), total);
  EXPECT_EQ(ChUniqueIds(), total);
  EXPECT_EQ(ChCountOf("fleet_a"), written_a);
  EXPECT_EQ(ChCountOf("fleet_b"), written_b);
  EXPECT_EQ(Delivered(UrlA()), written_a);
  EXPECT_EQ(Delivered(UrlB()), written_b);
  EXPECT_EQ(first.Problems(), "");
  EXPECT_EQ(second.Problems(), "");

  // What each process says it delivered, per source, adds up to what was written, and each
  // process took a share of each source (the split is about even: 50-row batches, two pollers).
  std::map<std::string, int64_t> split;  // "first A", "second B", ...
  for (auto* relay : {&first, &second}) {
    const std::string name = relay == &first ? "first" : "second";
    for (const auto& [label, delivered] : relay->DeliveredBySource()) {
      split[name + (LabelNames(label, SuffixB()) ? " B" : " A")] += delivered;
    }
  }
  std::cout << "[ Sources  ] " << written_a << " + " << written_b << " events; delivered by";
  for (const auto& [who, delivered] : split) std::cout << " " << who << ": " << delivered << ";";
  std::cout << std::endl;
  EXPECT_EQ(split["first A"] + split["second A"], written_a);
  EXPECT_EQ(split["first B"] + split["second B"], written_b);
  for (const char* who : {"first A", "first B", "second A", "second B"}) {
    EXPECT_GT(split[who], 0) << who;
  }
}

// A value that is not a list of distinct URLs is refused before anything runs: exit 2, a message
// naming EVENTLOG_SOURCES, and no password in it.
TEST_F(Sources, BadSourcesAreRefusedWithoutThePassword) {
  for (const std::string value : {"postgresql://u:s3cret@h/a notaurl",
                                  "postgresql://u:s3cret@h/a postgresql://u:s3cret@h/a"}) {
    CliRun r = RunBadSources(value);
    EXPECT_EQ(r.exit_code, 2) << value << ": " << r.output;
    EXPECT_NE(r.err.find("EVENTLOG_SOURCES"), std::string::npos) << value << ": " << r.output;
    EXPECT_EQ(r.output.find("s3cret"), std::string::npos) << value << ": " << r.output;
  }
}

// The same for every position of the password: each URL of the list is redacted on its own
// (one RedactUrl over the whole value missed a source after a bad item or after a URL with a
// query).
TEST_F(Sources, NoPasswordInTheMessageWhereverItIs) {
  for (const std::string value : {"notaurl postgresql://u:s3cret@h/a",
                                  "postgresql://u:p@h/a?sslmode=disable "
                                  "postgresql://u:s3cret@h/b notaurl"}) {
    CliRun r = RunBadSources(value);
    EXPECT_EQ(r.exit_code, 2) << value << ": " << r.output;
    EXPECT_NE(r.err.find("EVENTLOG_SOURCES"), std::string::npos) << value << ": " << r.output;
    EXPECT_EQ(r.output.find("s3cret"), std::string::npos) << value << ": " << r.output;
  }
}

// `eventlog status --json` with EVENTLOG_SOURCES: one JSON line per source, each with its own
// pending count and its source (the URL without the password).
TEST_F(Sources, StatusReportsEverySource) {
  Enqueue(UrlA(), "AlphaEvent", 3);
  Enqueue(UrlB(), "BetaEvent", 5);
  CliRun r = RunEventlog(CliEnv(), "status --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::istringstream lines(r.out);
  std::vector<nlohmann::json> objects;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) objects.push_back(nlohmann::json::parse(line));
  }
  ASSERT_EQ(objects.size(), 2u) << r.out;
  EXPECT_EQ(objects[0]["pending"], 3) << r.out;
  EXPECT_EQ(objects[1]["pending"], 5) << r.out;
  EXPECT_FALSE(LabelNames(objects[0]["source"].get<std::string>(), SuffixB())) << r.out;
  EXPECT_TRUE(LabelNames(objects[1]["source"].get<std::string>(), SuffixB())) << r.out;
  EXPECT_EQ(r.output.find(":eventlog@"), std::string::npos) << "a password in the output";
  r = RunEventlog(CliEnv(), "status");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.out.find("source:"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace eventlog::testing
