// The relay against a real cluster (2 shards x 2 replicas, ZooKeeper): one replica of each
// shard SIGKILLed mid-stream and restarted, ZooKeeper stopped for 20 s, two relays serving two
// outboxes the whole time. Every committed event must be in the cluster exactly once and the
// replicas must converge.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iostream>
#include <mutex>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "clickhouse/shard_key.h"
#include "tests/cluster/cluster_env.h"

namespace eventlog::cluster {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Commits transactions of 20 events into the sources in turn, about 1,000 events a second,
// until Stop(); keeps the ids of the committed ones. A failed commit is retried with new ids.
class Writer {
 public:
  Writer() : thread_([this] { Run(); }) {}
  ~Writer() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  void Pause(bool paused) { paused_ = paused; }
  std::vector<std::string> committed() {
    std::lock_guard lock(mu_);
    return committed_;
  }

 private:
  void Run() {
    std::vector<std::unique_ptr<pqxx::connection>> conns;
    for (const std::string& url : SourceUrls()) {
      conns.push_back(std::make_unique<pqxx::connection>(url));
    }
    for (size_t n = 0; !stop_; ++n) {
      std::this_thread::sleep_for(milliseconds(20));
      if (paused_) continue;
      try {
        pqxx::work tx(*conns[n % conns.size()]);
        auto rows = tx.exec(
            "SELECT eventlog_enqueue('ClusterEvent', jsonb_build_object('n', g))::text "
            "FROM generate_series(1, 20) g");
        std::vector<std::string> ids;
        for (const auto& row : rows) ids.push_back(row[0].as<std::string>());
        tx.commit();
        std::lock_guard lock(mu_);
        committed_.insert(committed_.end(), ids.begin(), ids.end());
      } catch (const std::exception& e) {
        std::cerr << "writer: " << e.what() << "\n";
      }
    }
  }

  std::atomic<bool> stop_{false};
  std::atomic<bool> paused_{false};
  std::mutex mu_;
  std::vector<std::string> committed_;
  std::thread thread_;
};

// Seconds until every committed event has left the outboxes (writer paused meanwhile).
double DrainSeconds(Writer& writer) {
  writer.Pause(true);
  auto start = std::chrono::steady_clock::now();
  bool drained = WaitUntil([] { return PendingRows() == 0; }, seconds(120));
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(drained) << "still pending after 120 s: " << PendingRows();
  writer.Pause(false);
  return s;
}

std::string ShardDigest(int node) {
  return NodeQuery(node,
                   "SELECT count(), sum(cityHash64(toString(event_id))) FROM event_log_local "
                   "FORMAT TSV");
}

int64_t CountLines(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  int64_t n = 0;
  for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
  return n;
}

int64_t Number(const std::string& text) {
  try {
    return std::stoll(text);
  } catch (const std::exception&) {
    return -1;
  }
}

TEST(ClusterFaults, ReplicaKillsAndZooKeeperOutage) {
  Writer writer;
  std::vector<std::unique_ptr<ChildProcess>> relays;
  for (int r = 0; r < 2; ++r)
    relays.push_back(SpawnEventlog({"relay"}, "relay" + std::to_string(r)));
  ASSERT_TRUE(WaitUntil([] { return Number(NodeQuery(2, "SELECT count() FROM event_log")) >= 500; },
                        seconds(30)))
      << "nothing delivered: " << relays[0]->log_path();

  // 1. One replica of each shard dies mid-stream (SIGKILL), traffic goes on, they come back.
  ClusterScript({"kill-node", "1"});
  ClusterScript({"kill-node", "3"});
  std::this_thread::sleep_for(seconds(6));
  ClusterScript({"start-node", "1"});
  ClusterScript({"start-node", "3"});
  double drain_after_kills = DrainSeconds(writer);

  // 2. ZooKeeper stops for 20 s: replicated tables turn read-only, every INSERT fails; the
  //    relays must keep the rows and retry, not dead-letter them.
  ClusterScript({"stop-zk"});
  std::this_thread::sleep_for(seconds(20));
  ClusterScript({"start-zk"});
  double drain_after_zk = DrainSeconds(writer);

  std::this_thread::sleep_for(seconds(2));
  writer.Stop();
  double final_drain = DrainSeconds(writer);
  for (auto& relay : relays) EXPECT_TRUE(relay->IsAlive()) << relay->log_path();

  std::vector<std::string> committed = writer.committed();
  std::sort(committed.begin(), committed.end());
  ASSERT_FALSE(committed.empty());

  // Replicas converge: both replicas of a shard hold the same rows.
  for (int first : {1, 3}) {
    EXPECT_TRUE(
        WaitUntil([&] { return ShardDigest(first) == ShardDigest(first + 1); }, seconds(90)))
        << "replicas of shard " << (first + 1) / 2 << " differ: node" << first << " "
        << ShardDigest(first) << ", node" << first + 1 << " " << ShardDigest(first + 1);
  }
  // Through the Distributed table: each committed event exactly once, and nothing else.
  std::string totals =
      NodeQuery(1, "SELECT count(), uniqExact(event_id) FROM event_log FORMAT TSV");
  int64_t delivered = Number(totals);
  int64_t unique = Number(totals.substr(totals.find('\t') + 1));
  EXPECT_EQ(delivered, static_cast<int64_t>(committed.size())) << totals;
  EXPECT_EQ(unique, delivered) << "duplicates: " << totals;
  std::string ids = NodeQuery(2, "SELECT toString(event_id) FROM event_log FORMAT TSV");
  std::vector<std::string> stored;
  std::istringstream lines(ids);
  for (std::string line; std::getline(lines, line);) stored.push_back(line);
  std::sort(stored.begin(), stored.end());  // 18.16 reads ORDER BY 1 as a constant
  EXPECT_TRUE(stored == committed) << "the ids in the cluster are not the committed ones ("
                                   << stored.size() << " vs " << committed.size() << ")";
  // Each event on the shard its key names, by the Distributed table's own sharding key
  // (weights 1 and 1: even keys on shard 1, odd on shard 2), and both shards used.
  int64_t shard1 = Number(NodeQuery(1, "SELECT count() FROM event_log_local"));
  int64_t shard2 = Number(NodeQuery(3, "SELECT count() FROM event_log_local"));
  EXPECT_EQ(shard1 + shard2, delivered);
  EXPECT_GT(shard1, 0);
  EXPECT_GT(shard2, 0);
  for (auto [node, parity] : {std::pair{1, 0}, std::pair{3, 1}}) {
    EXPECT_EQ(NodeQuery(node, std::string("SELECT count() FROM event_log_local WHERE ") +
                                  kShardKeySql + " % 2 != " + std::to_string(parity)),
              "0")
        << "events on the wrong shard on node" << node;
  }
  int64_t dead = 0;
  for (const std::string& url : SourceUrls()) {
    dead += PgCount(url, "SELECT count(*) FROM event_dead_letters");
  }
  EXPECT_EQ(dead, 0) << "rows dead-lettered during the outages";

  int64_t skipped = 0;
  int64_t found_present = 0;
  for (auto& relay : relays) {
    skipped += CountLines(relay->log_path(), "ClickHouse node skipped");
    found_present += CountLines(relay->log_path(), "already_present");
  }
  EXPECT_GT(skipped, 0) << "no relay ever failed over: were the replicas killed?";
  std::ostringstream figures;
  figures << "cluster_faults committed=" << committed.size() << " delivered=" << delivered
          << " duplicates=" << delivered - unique << " dead_letters=" << dead
          << " shard1=" << shard1 << " shard2=" << shard2 << " relays=2 sources=2"
          << " drain_after_replica_kills_s=" << drain_after_kills
          << " drain_after_zookeeper_outage_s=" << drain_after_zk
          << " final_drain_s=" << final_drain << " node_down_warnings=" << skipped
          << " batches_found_present=" << found_present;
  std::cout << "[figures] " << figures.str() << std::endl;
  std::ofstream(VarDir() + "/figures.txt", std::ios::app) << figures.str() << "\n";
}

}  // namespace
}  // namespace eventlog::cluster
