// A database restored into another cluster (issue 15 §2): its claim state and rows name
// transaction ids the new server has not reached. Claims refuse to run until
// eventlog_rebase_claims() translates them; then every event arrives exactly once.
#include <set>

#include "tests/integration/relay_fixture.h"

namespace eventlog::testing {
namespace {

constexpr uint64_t kAhead = 1000000;  // how far the "other cluster" was ahead

// "xmin:xmax:x1,x2" with every id moved `by` ahead.
std::string ShiftSnapshot(const std::string& snapshot, uint64_t by) {
  std::string out, number;
  auto flush = [&] {
    if (!number.empty()) out += std::to_string(std::stoull(number) + by);
    number.clear();
  };
  for (char c : snapshot) {
    if (c >= '0' && c <= '9') {
      number += c;
    } else {
      flush();
      out += c;
    }
  }
  flush();
  return out;
}

class ClaimRestoreTest : public RelayIntegrationTest {
 protected:
  // What a dump restored elsewhere looks like: the same rows and state, every transaction id
  // far ahead of this server's counter.
  void MoveEverythingAhead() {
    pqxx::connection c(Servers().database_url);
    pqxx::work tx(c);
    tx.exec0("ALTER TABLE event_outbox DROP CONSTRAINT event_outbox_tx_id_is_the_writers");
    tx.exec_params0("UPDATE event_outbox SET tx_id = (tx_id::text::numeric + $1)::text::xid8",
                    static_cast<int64_t>(kAhead));
    tx.exec0(
        "ALTER TABLE event_outbox ADD CONSTRAINT event_outbox_tx_id_is_the_writers "
        "CHECK (tx_id = pg_current_xact_id()) NOT VALID");
    pqxx::row state = tx.exec1(
        "SELECT done_snapshot::text, coalesce(page_snapshot::text, ''), "
        "coalesce(page_after_tx::text, '') FROM eventlog_claim_state");
    tx.exec_params0(
        "UPDATE eventlog_claim_state SET done_snapshot = $1::pg_snapshot, "
        "page_snapshot = nullif($2, '')::pg_snapshot, page_after_tx = nullif($3, '')::xid8",
        ShiftSnapshot(state[0].c_str(), kAhead), ShiftSnapshot(state[1].c_str(), kAhead),
        ShiftSnapshot(state[2].c_str(), kAhead));
    for (const auto& b :
         tx.exec("SELECT batch_id, snap_lo::text, snap_hi::text, first_tx::text, last_tx::text "
                 "FROM eventlog_batches")) {
      tx.exec_params0(
          "UPDATE eventlog_batches SET snap_lo = $2::pg_snapshot, snap_hi = $3::pg_snapshot, "
          "first_tx = $4::xid8, last_tx = $5::xid8 WHERE batch_id = $1",
          b[0].as<int64_t>(), ShiftSnapshot(b[1].c_str(), kAhead),
          ShiftSnapshot(b[2].c_str(), kAhead), ShiftSnapshot(b[3].c_str(), kAhead),
          ShiftSnapshot(b[4].c_str(), kAhead));
    }
    tx.commit();
  }
};

TEST(ShiftSnapshotTest, MovesEveryId) {
  EXPECT_EQ(ShiftSnapshot("10:20:12,15", 5), "15:25:17,20");
  EXPECT_EQ(ShiftSnapshot("10:10:", 1), "11:11:");
}

TEST_F(ClaimRestoreTest, ClaimsRefuseUntilRebasedThenEveryEventArrivesOnce) {
  auto ids = Enqueue(5);
  auto store = Store(std::chrono::milliseconds(30000));
  auto open = store.Claim({2});  // a batch open at the time of the dump (a paged tick)
  ASSERT_TRUE(open.ok() && open->has_value());
  auto done = store.Claim({1});  // a batch delivered before the dump
  ASSERT_TRUE(done.ok() && done->has_value());
  ASSERT_TRUE(store.Complete(**done, 1, {}).ok());
  MoveEverythingAhead();  // two rows unclaimed, two in the open batch, one delivered

  auto refused = store.Claim({100});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  // ("eventlog" is the test password: masked in every message)
  EXPECT_NE(refused.status().message().find("_rebase_claims()"), std::string::npos)
      << refused.status().ToString();
  auto written_since = Enqueue(1);  // an application wrote before the rebase ran

  const std::string report = PgScalar("SELECT eventlog_rebase_claims()");
  EXPECT_EQ(report,
            "3 unclaimed rows kept for the next claim, 1 open slice batches kept, "
            "1 claimed rows removed");
  PgExec("UPDATE eventlog_batches SET lease_until = now() - interval '1 second'");
  std::multiset<std::string> got;
  for (int i = 0; i < 10; ++i) {
    auto b = store.Claim({100});
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    if (!b->has_value()) break;
    if ((*b)->recovered) {
      EXPECT_EQ((*b)->rows, (*open)->rows) << "the open batch keeps its rows";
    }
    for (const auto& r : (*b)->rows) got.insert(r.event_id);
    ASSERT_TRUE(store.Complete(**b, 0, {}).ok());
  }
  std::multiset<std::string> want(ids.begin(), ids.end());
  want.erase(want.find((*done)->rows[0].event_id));
  want.insert(written_since[0]);
  EXPECT_EQ(got, want);
  EXPECT_THROW(PgScalar("SELECT eventlog_rebase_claims()"), pqxx::sql_error)
      << "a second run finds nothing to translate and changes nothing";
}

}  // namespace
}  // namespace eventlog::testing
