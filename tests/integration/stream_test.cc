// Streamed batches (issue 16): a fresh batch goes from PostgreSQL's COPY into one chunked INSERT
// without the relay holding its rows. Each test checks what reaches ClickHouse byte for byte, or
// what becomes of a batch the server refuses.
#include <pqxx/pqxx>
#include <random>

#include "clickhouse/clickhouse_rows.h"
#include "clickhouse/shard_key.h"
#include "core/uuid7.h"
#include "outbox/slice_copy.h"
#include "tests/integration/relay_fixture.h"

namespace eventlog::testing {
namespace {

// Whole TSV rows, then (with `fail`) an error instead of the end: a source that breaks mid-batch.
class ScriptedStream : public RowStream {
 public:
  ScriptedStream(std::vector<std::string> pieces, bool fail)
      : pieces_(std::move(pieces)), fail_(fail) {}
  Result<std::string_view> Next() override {
    if (next_ < pieces_.size()) {
      ++rows_;
      return std::string_view(pieces_[next_++]);
    }
    if (fail_) return Status(StatusCode::kUnavailable, "PostgreSQL went away mid-COPY");
    return std::string_view();
  }
  int64_t rows() const override { return rows_; }
  std::chrono::nanoseconds read_time() const override { return {}; }

 private:
  std::vector<std::string> pieces_;
  bool fail_;
  size_t next_ = 0;
  int64_t rows_ = 0;
};

class StreamTest : public RelayIntegrationTest {
 protected:
  // An outbox row written by SQL, as a producer in another language writes it.
  void InsertRow(const std::string& event_id, const std::string& environment,
                 const std::string& context,
                 const std::string& time = "2026-01-02 03:04:05.123456+00") {
    pqxx::connection c(Servers().database_url);
    pqxx::work tx(c);
    tx.exec_params0(
        "INSERT INTO event_outbox (event_id, event_type, event_date_time, environment, "
        "event_context) VALUES ($1, 'stream_test', $2, $3, $4)",
        event_id, time, environment, context);
    tx.commit();
  }
  StepOutcome Step(int batch_size = 1000, bool stream = true) {
    auto store = Store();
    auto sink = Sink();
    RelayPolicy policy = Policy(batch_size);
    policy.stream = stream;
    return RunRelayStep(store, sink, policy);
  }
  std::string ChHex(const std::string& column, const std::string& event_id) {
    return ChScalar("SELECT hex(" + column + ") FROM event_log WHERE event_id = toUUID('" +
                    event_id + "')");
  }
};

// Every byte PostgreSQL's text can hold, and the characters TSV escapes, arrive unchanged, and
// exactly as the row-by-row path sends them.
TEST_F(StreamTest, EveryByteArrivesAsWrittenAndAsTheRowPathSendsIt) {
  std::string all;
  for (int b = 1; b < 128; ++b) all.push_back(static_cast<char>(b));
  all += "\\N \\t \\\\ \\0 é € 𝄞 \xef\xbf\xbf end\\";
  const std::string context = R"({"text": "a\\b \"quoted\" \n \t \u0001"})" + all;
  const std::string streamed_id = "0190f5e4-0000-7000-8000-000000000001";
  const std::string loaded_id = "0190f5e4-0000-7000-8000-000000000002";

  InsertRow(streamed_id, all, context);
  StepOutcome s = Step();
  ASSERT_TRUE(s.error.ok()) << s.error.ToString();
  EXPECT_TRUE(s.streamed);
  InsertRow(loaded_id, all, context);
  StepOutcome l = Step(1000, /*stream=*/false);
  ASSERT_TRUE(l.error.ok()) << l.error.ToString();
  EXPECT_FALSE(l.streamed);

  std::string hex_all, hex_context;
  {
    pqxx::connection c(Servers().database_url);
    pqxx::nontransaction tx(c);
    hex_all =
        tx.exec_params1("SELECT upper(encode(convert_to($1, 'UTF8'), 'hex'))", all)[0].c_str();
    hex_context =
        tx.exec_params1("SELECT upper(encode(convert_to($1, 'UTF8'), 'hex'))", context)[0].c_str();
  }
  EXPECT_EQ(ChHex("environment", streamed_id), hex_all);
  EXPECT_EQ(ChHex("event_context", streamed_id), hex_context);
  EXPECT_EQ(ChHex("environment", loaded_id), hex_all);
  EXPECT_EQ(ChHex("event_context", loaded_id), hex_context);
  // The time too, to the precision the column keeps (18.16: whole seconds, in UTC).
  EXPECT_EQ(ChScalar("SELECT toString(event_date_time, 'UTC') FROM event_log WHERE event_id = "
                     "toUUID('" +
                     streamed_id + "')"),
            ChScalar("SELECT toString(event_date_time, 'UTC') FROM event_log WHERE event_id = "
                     "toUUID('" +
                     loaded_id + "')"));
  EXPECT_EQ(ChCount(), 2);
}

// A fresh batch is one INSERT of all its rows, and the relay holds none of them.
TEST_F(StreamTest, AFreshBatchIsOneInsertOfAllItsRows) {
  Enqueue(3000);
  StepOutcome o = Step(5000);
  ASSERT_TRUE(o.error.ok()) << o.error.ToString();
  EXPECT_TRUE(o.streamed);
  EXPECT_EQ(o.inserts, 1);
  EXPECT_EQ(o.delivered, 3000);
  EXPECT_EQ(ChCount(), 3000);
  EXPECT_EQ(ChUniqueIds(), 3000);
  EXPECT_EQ(Pending(), 0);
}

// Two rows of one batch with the same event_id: the stream ends in an error, so nothing of it
// is stored; the batch goes row by row, the first is delivered and the second is a dead letter.
TEST_F(StreamTest, AReusedIdInAStreamedBatchIsADeadLetterAndTheRestIsDeliveredOnce) {
  Enqueue(50);
  const std::string id = "0190f5e4-0000-7000-8000-0000000000aa";
  InsertRow(id, "Test", R"({"first": true})");
  InsertRow(id, "Test", R"({"second": true})");
  Enqueue(50);
  StepOutcome o = Step();
  EXPECT_TRUE(o.streamed);
  EXPECT_EQ(o.dead_lettered, 1);
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(ChCount(), 101);
  EXPECT_EQ(ChUniqueIds(), 101);
  EXPECT_EQ(ChScalar("SELECT event_context FROM event_log WHERE event_id = toUUID('" + id + "')"),
            R"({"first": true})");
  EXPECT_EQ(PgCount("event_dead_letters"), 1);
}

// A row whose time the server's column cannot hold (18.16's DateTime starts in 1970) makes the
// server refuse the streamed INSERT; nothing of it is stored, the other rows are delivered and
// the row waits for its retries.
TEST_F(StreamTest, ARowTheColumnCannotHoldIsIsolatedAndTheRestDelivered) {
  if (ChScalar("SELECT type FROM system.columns WHERE table = 'event_log' AND name = "
               "'event_date_time' AND database = currentDatabase()")
          .starts_with("DateTime64")) {
    GTEST_SKIP() << "a DateTime64 column holds every time the outbox does";
  }
  Enqueue(40);
  const std::string id = "0190f5e4-0000-7000-8000-0000000000bb";
  InsertRow(id, "Test", "{}", "1950-06-01 00:00:00+00");
  Enqueue(40);
  StepOutcome o = Step();
  EXPECT_TRUE(o.streamed);
  EXPECT_EQ(o.error.code(), StatusCode::kRejected) << o.error.ToString();
  EXPECT_EQ(ChCount(), 80);
  EXPECT_EQ(ChUniqueIds(), 80);
  EXPECT_EQ(ChScalar("SELECT count() FROM event_log WHERE event_id = toUUID('" + id + "')"), "0");
  EXPECT_EQ(Pending(), 1);  // back in the ledger for its retry, then a dead letter
}

// ClickHouse unreachable: the batch goes back whole, still a slice of the outbox (no payload),
// and is delivered once when the server is back.
TEST_F(StreamTest, AFailedStreamGivesTheBatchBackWhole) {
  Enqueue(200);
  auto store = Store();
  ClickHouseOptions down = Servers().clickhouse;
  down.port = 1;
  ClickHouseSink unreachable(down, Servers().table);
  StepOutcome o = RunRelayStep(store, unreachable, Policy(1000));
  EXPECT_FALSE(o.error.ok());
  EXPECT_EQ(PgScalar("SELECT event_count || ' ' || (payload IS NULL) FROM eventlog_batches"),
            "200 true");
  EXPECT_EQ(ChCount(), 0);
  PgExec("UPDATE eventlog_batches SET lease_until = now()");
  Drain();
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(ChCount(), 200);
  EXPECT_EQ(ChUniqueIds(), 200);
}

// A stream that breaks after whole rows stores nothing of them (the body ends with a line the
// server cannot parse, so the INSERT, one block, is refused), plain or gzip-compressed; the same
// rows without the break arrive.
TEST_F(StreamTest, ABrokenStreamStoresNothingPlainOrCompressed) {
  for (bool gzip : {false, true}) {
    ChScalar("TRUNCATE TABLE event_log");
    ClickHouseOptions options = Servers().clickhouse;
    options.compress_inserts = gzip;
    ClickHouseSink sink(options, Servers().table);
    std::vector<std::string> lines;
    for (int i = 0; i < 500; ++i) {
      OutboxRow r{.event_id = NewUuid7(),
                  .event_type = "stream_test",
                  .event_time_us = 1767225600000000,
                  .environment = "Test",
                  .event_context = R"({"n": )" + std::to_string(i) + "}",
                  .metadata_version = 1,
                  .trace_id = "",
                  .span_id = ""};
      lines.push_back(EncodeForClickHouse({r}, TimeColumn{false, 0}));
    }
    ScriptedStream broken(lines, /*fail=*/true);
    Status s = sink.SendStream(7, broken);
    EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
    EXPECT_NE(s.message().find("mid-COPY"), std::string::npos) << s.ToString();
    EXPECT_EQ(ChCount(), 0) << (gzip ? "gzip" : "plain");
    ScriptedStream whole(lines, /*fail=*/false);
    EXPECT_TRUE(sink.SendStream(8, whole).ok());
    EXPECT_EQ(ChCount(), 500) << (gzip ? "gzip" : "plain");
  }
}

// With compressed INSERT bodies (CLICKHOUSE_COMPRESSION, on for a remote server) batches stream
// too, through zlib as they are read.
TEST_F(StreamTest, ACompressedStreamArrivesWhole) {
  Enqueue(4000);
  auto store = Store();
  ClickHouseOptions options = Servers().clickhouse;
  options.compress_inserts = true;
  ClickHouseSink sink(options, Servers().table);
  StepOutcome o = RunRelayStep(store, sink, Policy(10000));
  ASSERT_TRUE(o.error.ok()) << o.error.ToString();
  EXPECT_TRUE(o.streamed);
  EXPECT_EQ(o.inserts, 1);
  EXPECT_EQ(ChCount(), 4000);
  EXPECT_EQ(ChUniqueIds(), 4000);
}

// A cluster's parts are split in PostgreSQL: its shard slot must be the relay's and ClickHouse's
// for every id (random ones, and the edges of the key's halves).
TEST_F(StreamTest, PostgresComputesTheShardSlotOfEveryIdAsTheClusterDoes) {
  std::vector<std::string> ids = {
      "00000000-0000-7000-0000-000000000000", "ffffffff-ffff-7fff-ffff-ffffffffffff",
      "0190f5e4-0000-7000-8000-000000000000", "0190f5e4-0000-7000-7fff-ffff80000000",
      "0190f5e4-0000-7000-ffff-ffff7fffffff"};
  for (int i = 0; i < 300; ++i) ids.push_back(NewUuid7());
  pqxx::connection c(Servers().database_url);
  pqxx::nontransaction tx(c);
  for (int slots : {1, 2, 3, 7, 10, 255}) {
    for (const std::string& id : ids) {
      const auto sql = "SELECT " + ShardSlotSql("$1::uuid", slots);
      EXPECT_EQ(tx.exec_params1(sql, id)[0].as<int64_t>(),
                static_cast<int64_t>(EventShardKey(id) % static_cast<uint64_t>(slots)))
          << id << " with " << slots << " slots";
    }
  }
}

}  // namespace
}  // namespace eventlog::testing
