// EVENTLOG_SOURCES: one relay process (or a fleet) serving several application databases, each
// with its own outbox, into the one ClickHouse table. The second database is the test
// database's name with "_b" (eventlog_test_b), created here when missing.
#include "tests/integration/sources_fixture.h"

namespace eventlog::testing::sources {
namespace {

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

}  // namespace
}  // namespace eventlog::testing::sources
