#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "clickhouse/clickhouse_sink.h"
#include "clickhouse/shard_key.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/jitter.h"

namespace eventlog {

struct ClusterSinkOptions {
  ClickHouseOptions base;                 // credentials, timeouts; host and port per node
  std::vector<ClickHouseEndpoint> nodes;  // CLICKHOUSE_HOSTS
  std::string cluster;                    // CLICKHOUSE_CLUSTER; empty: no cluster
  std::string table;                      // event_log (the Distributed table with a cluster)
  std::chrono::milliseconds health_check{defaults::kClickHouseHealthCheckMs};
};

// The table to write on each node: with a cluster, `table`_local (the replicated table under
// the Distributed one), else `table` itself.
std::string NodeTable(const std::string& cluster, const std::string& table);

// Several ClickHouse nodes as one sink. With a cluster, each node learns its shard from the
// server (system.clusters, is_local) and a batch is split by the shard key (shard_key.h) into
// one INSERT per shard, sent to a replica of that shard's local ReplicatedMergeTree table;
// without one, every node is a replica of the one table. Why this keeps exactly-once:
//  - a retried INSERT of a shard's rows sends the same rows in the same order, so the same
//    block: ReplicatedMergeTree deduplicates it through ZooKeeper on whichever replica of the
//    shard takes it, also when the first try's replica is down or has not answered;
//  - the recovery check takes the union of the answers of the replicas that took an earlier
//    try (every replica of the shard when this sink does not know which), all of which must
//    answer, so it sees what the replica that took the INSERT wrote.
// A node that fails with a "this node" error (network, timeout, overload, ZooKeeper trouble,
// schema or access) is skipped until a health check (after `health_check`) finds it well; data
// errors (kRejected, kTooLarge) are returned as they are. Not thread-safe: one per relay thread.
// Time (health checks, the deadline of a failover) comes from `clock` (nullptr: a real clock of
// its own) and the replica it prefers first from `jitter`; both may be shared across threads.
class ClusterSink : public EventSink {
 public:
  explicit ClusterSink(ClusterSinkOptions options, Clock* clock = nullptr,
                       Jitter& jitter = ProcessJitter());
  ~ClusterSink() override;

  Status Insert(int64_t batch_id, const std::vector<OutboxRow>& rows) override;
  Result<Presence> FindPresent(int64_t batch_id, const std::vector<OutboxRow>& rows) override;
  // Streamed: each shard's part is its own stream, read from PostgreSQL (which computes the shard
  // key) straight into the INSERT on a replica of that shard; a failed try opens the part again
  // for the next replica.
  bool Streams() const override { return true; }
  Status InsertStream(int64_t batch_id, const RowStreamOpener& open,
                      int64_t expected_rows) override;
  // Each INSERT request is reported with the node that took it.
  void ObserveInserts(InsertObserver observer) override;

  // Asks every node now; Ok when each shard has a node that answers (start-up check).
  Status Probe();

 private:
  struct Node;
  // A node is usable when it is up and its shard is known; a node that is down is asked again
  // (health check) once its time has come.
  bool Usable(Node& node);
  Status Learn(Node& node);
  void MarkDown(Node& node, const Status& why);
  void MarkWell(Node& node);  // an INSERT succeeded on it
  // The usable nodes of `shard`, in this sink's order of preference.
  std::vector<Node*> ReplicasOf(int shard);
  // `rows` split by shard, each part in batch order (the same rows give the same parts).
  std::vector<std::pair<int, std::vector<OutboxRow>>> SplitByShard(
      const std::vector<OutboxRow>& rows) const;
  Status NoReplica(int shard, const Status& last) const;
  // Sends one shard's part by `send` to its replicas in turn until one takes it, skipping nodes
  // at fault, with no new try past `deadline`. Set `abort` (from `send`) to end at once: a
  // failure of the rows' source, not of the node.
  Status SendToShard(int64_t batch_id, int shard, std::chrono::steady_clock::time_point deadline,
                     const std::function<Status(Node&)>& send, const Status& abort);
  Status SameTableAsTheOtherReplicas(const Node& node) const;
  // Which nodes got (or may have got) an INSERT of `batch_id`, for the recovery check.
  void RememberSent(int64_t batch_id, const Node& node);
  // The nodes whose answer a recovery check of `batch_id` on `shard` cannot do without.
  std::vector<Node*> MustAnswer(int64_t batch_id, int shard);

  static constexpr size_t kRememberedBatches = 4096;

  ClusterSinkOptions options_;
  std::string node_table_;
  std::unique_ptr<Clock> own_clock_;  // when none was given
  Clock& clock_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::optional<ShardMap> shards_;  // learned from the first node that answers
  size_t preferred_ = 0;            // rotation of the replica order: relays spread over replicas
  std::map<int64_t, std::set<std::string>> sent_;  // batch id -> names of the nodes it went to
  std::deque<int64_t> sent_order_;                 // oldest first, to forget beyond the cap
};

}  // namespace eventlog
