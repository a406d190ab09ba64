#include "clickhouse/cluster_sink.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/tsv.h"
#include "observe/logger.h"

namespace eventlog {
namespace {

constexpr std::string_view kLogger = "eventlog.clickhouse";

// Errors that say "this node", not "this data": another replica may take the request. Not an
// earlier request of this batch still running there (kBatchInFlight): not the node's fault,
// and no other node may be asked instead; wait for it.
bool IsNodeFault(const Status& s) {
  return (s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kFailedPrecondition) &&
         s.cause() != FailureCause::kBatchInFlight;
}

}  // namespace

struct ClusterSink::Node {
  Node(const ClickHouseOptions& options, const std::string& table)
      : name(options.host + ":" + std::to_string(options.port)),
        sink(options, table),
        client(options) {}
  std::string name;  // host:port, for logs and errors
  ClickHouseSink sink;
  ClickHouseClient client;  // topology and health queries
  int shard = 0;            // 1-based; 0: not learned yet
  bool down = false;
  int64_t failures = 0;        // requests failed since the last one that succeeded
  Status last_error;           // why it was last skipped
  std::string zookeeper_path;  // of its replicated table: the same for a shard's replicas
  std::chrono::steady_clock::time_point check_at{};  // when a node that is down is asked again
};

// How much a node's start-up error says about the configuration, for Probe.
static int Severity(StatusCode code) {
  if (code == StatusCode::kInvalidArgument) return 2;
  return code == StatusCode::kFailedPrecondition ? 1 : 0;
}

std::string NodeTable(const std::string& cluster, const std::string& table) {
  return cluster.empty() ? table : table + "_local";
}

ClusterSink::ClusterSink(ClusterSinkOptions options, Clock* clock, Jitter& jitter)
    : options_(std::move(options)),
      node_table_(NodeTable(options_.cluster, options_.table)),
      own_clock_(clock == nullptr ? MakeRealClock() : nullptr),
      clock_(clock == nullptr ? *own_clock_ : *clock) {
  for (const ClickHouseEndpoint& endpoint : options_.nodes) {
    ClickHouseOptions o = options_.base;
    o.host = endpoint.host;
    o.port = endpoint.port;
    nodes_.push_back(std::make_unique<Node>(o, node_table_));
  }
  // Each relay starts its preference at a random node, so a fleet spreads over the replicas.
  preferred_ =
      nodes_.empty()
          ? 0
          : static_cast<size_t>(jitter.Uniform(0, static_cast<int64_t>(nodes_.size()) - 1));
}

ClusterSink::~ClusterSink() = default;

void ClusterSink::ObserveInserts(InsertObserver observer) {
  for (auto& node : nodes_) node->sink.ObserveInserts(observer);
}

Status ClusterSink::Learn(Node& node) {
  const std::string db = options_.base.database;
  // Failover between copies is safe only where a retried block is deduplicated.
  if (nodes_.size() > 1) {
    auto engine = node.client.Execute(
        "SELECT engine FROM system.tables WHERE database = " + QuoteClickHouse(db) +
        " AND name = " + QuoteClickHouse(node_table_) + " FORMAT TSV");
    if (!engine.ok()) return engine.status();
    if (engine->empty()) {
      return {StatusCode::kFailedPrecondition, "table " + db + "." + node_table_ +
                                                   " not found on " + node.name +
                                                   " (run `eventlog migrate`)"};
    }
    if (engine->rfind("Replicated", 0) != 0) {
      // A bad setting, not a passing state: kInvalidArgument makes the relay refuse to start.
      return {StatusCode::kInvalidArgument,
              db + "." + node_table_ + " on " + node.name + " is " +
                  engine->substr(0, engine->find('\n')) +
                  ", not a Replicated*MergeTree table: with several nodes in CLICKHOUSE_HOSTS a "
                  "retried INSERT could be stored twice (see README, A ClickHouse cluster)"};
    }
  }
  if (nodes_.size() > 1) {
    auto path = node.client.Execute(
        "SELECT zookeeper_path FROM system.replicas WHERE database = " + QuoteClickHouse(db) +
        " AND table = " + QuoteClickHouse(node_table_) + " FORMAT TSV");
    if (!path.ok()) return path.status();
    node.zookeeper_path = path->substr(0, path->find('\n'));
  }
  if (options_.cluster.empty()) {
    node.shard = 1;
    if (!shards_) shards_ = ShardMap::FromWeights({1}).value();
    return SameTableAsTheOtherReplicas(node);
  }
  const std::string where =
      " FROM system.clusters WHERE cluster = " + QuoteClickHouse(options_.cluster);
  if (!shards_) {
    auto r = node.client.Execute("SELECT shard_num, any(shard_weight)" + where +
                                 " GROUP BY shard_num ORDER BY shard_num FORMAT TSV");
    if (!r.ok()) return r.status();
    auto rows = ReadTsvIntegers(r.value());
    if (!rows.ok()) return rows.status();
    std::vector<int> weights;
    for (const auto& row : rows.value()) {
      if (row.size() != 2 || row[0] != static_cast<int64_t>(weights.size()) + 1) {
        return {StatusCode::kFailedPrecondition,
                "cluster " + options_.cluster + " on " + node.name +
                    ": shard numbers are not 1..N in system.clusters"};
      }
      weights.push_back(static_cast<int>(row[1]));
    }
    if (weights.empty()) {
      return {StatusCode::kFailedPrecondition, "cluster " + options_.cluster +
                                                   " is not in remote_servers on " + node.name +
                                                   " (CLICKHOUSE_CLUSTER)"};
    }
    auto map = ShardMap::FromWeights(weights);
    if (!map.ok()) return map.status();
    shards_ = map.value();
  }
  // is_local marks the shard this server belongs to (18.16 marks every replica of it).
  auto r = node.client.Execute("SELECT DISTINCT shard_num" + where + " AND is_local FORMAT TSV");
  if (!r.ok()) return r.status();
  auto rows = ReadTsvIntegers(r.value());
  if (!rows.ok()) return rows.status();
  if (rows->size() != 1) {
    return {StatusCode::kFailedPrecondition,
            node.name + " does not find itself in cluster " + options_.cluster +
                " (remote_servers must list it by an address and TCP port it owns)"};
  }
  node.shard = static_cast<int>(rows->front().front());
  return SameTableAsTheOtherReplicas(node);
}

Status ClusterSink::SameTableAsTheOtherReplicas(const Node& node) const {
  // Replicas deduplicate each other's blocks only when they share one table in ZooKeeper.
  for (const auto& other : nodes_) {
    if (other.get() == &node || other->shard != node.shard || other->zookeeper_path.empty() ||
        other->zookeeper_path == node.zookeeper_path) {
      continue;
    }
    return {StatusCode::kInvalidArgument,
            node.name + " and " + other->name + " are nodes of one shard whose " + node_table_ +
                " tables are not replicas of each other (ZooKeeper paths " + node.zookeeper_path +
                " and " + other->zookeeper_path +
                "): a retry through the other could be stored twice. Check the {shard} macros, "
                "or list only replicas of one table in CLICKHOUSE_HOSTS"};
  }
  return Status::Ok();
}

void ClusterSink::MarkDown(Node& node, const Status& why) {
  // A health check (a query) may pass while INSERTs still fail (ZooKeeper away): say it once,
  // then every 50th time, not at every round.
  if (++node.failures == 1 || node.failures % 50 == 0) {
    log::Warn(kLogger, "ClickHouse node skipped until a health check passes",
              {{"node", node.name}, {"failures", node.failures}, {"error", why.ToString()}});
  }
  node.down = true;
  node.last_error = why.WithMessage(node.name + ": " + why.message());
  node.check_at = clock_.Now() + options_.health_check;
}

bool ClusterSink::Usable(Node& node) {
  if (!node.down && node.shard != 0) return true;
  if (node.down && clock_.Now() < node.check_at) return false;
  Status s = Learn(node);
  if (s.ok()) s = node.sink.Probe();
  if (!s.ok()) {
    MarkDown(node, s);
    return false;
  }
  node.down = false;
  return true;
}

void ClusterSink::MarkWell(Node& node) {
  if (node.failures > 0) {
    log::Info(kLogger, "ClickHouse node back", {{"node", node.name}, {"failures", node.failures}});
  }
  node.failures = 0;
}

std::vector<ClusterSink::Node*> ClusterSink::ReplicasOf(int shard) {
  std::vector<Node*> out;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Node& node = *nodes_[(preferred_ + i) % nodes_.size()];
    if (Usable(node) && node.shard == shard) out.push_back(&node);
  }
  return out;
}

std::vector<std::pair<int, std::vector<OutboxRow>>> ClusterSink::SplitByShard(
    const std::vector<OutboxRow>& rows) const {
  if (!shards_ || shards_->shards() <= 1) return {{1, rows}};
  std::map<int, std::vector<OutboxRow>> parts;
  for (const OutboxRow& row : rows)
    parts[shards_->ShardOf(EventShardKey(row.event_id))].push_back(row);
  return {parts.begin(), parts.end()};
}

Status ClusterSink::NoReplica(int shard, const Status& last) const {
  std::string what = "no ClickHouse node of shard " + std::to_string(shard) + " is reachable";
  if (options_.cluster.empty()) what = "no ClickHouse node is reachable";
  if (last.ok()) return {StatusCode::kUnavailable, what};
  return last.WithMessage(what + "; last error: " + last.message());
}

Status ClusterSink::Probe() {
  // Nodes that are not replicas of one table (kInvalidArgument) make the whole configuration
  // wrong: reported before a misconfigured node (wrong table, cluster, credentials), which says
  // more than one that is merely down. Nodes are checked in the order CLICKHOUSE_HOSTS lists
  // them, each against those before it, from a clean slate: every relay of a fleet with the
  // same setting names the same node.
  for (auto& node : nodes_) {
    node->down = false;
    node->shard = 0;
    node->zookeeper_path.clear();
  }
  Status worst;
  for (auto& node : nodes_) {
    if (Usable(*node)) continue;
    const StatusCode code = node->last_error.code();
    if (worst.ok() || Severity(code) > Severity(worst.code())) worst = node->last_error;
  }
  if (worst.code() == StatusCode::kInvalidArgument ||
      worst.code() == StatusCode::kFailedPrecondition) {
    return worst;
  }
  if (!shards_) return NoReplica(1, worst);
  for (int shard = 1; shard <= shards_->shards(); ++shard) {
    if (ReplicasOf(shard).empty()) return NoReplica(shard, worst);
  }
  return Status::Ok();
}

void ClusterSink::RememberSent(int64_t batch_id, const Node& node) {
  if (batch_id <= 0) return;
  auto [it, inserted] = sent_.try_emplace(batch_id);
  if (inserted) {
    sent_order_.push_back(batch_id);
    if (sent_order_.size() > kRememberedBatches) {
      sent_.erase(sent_order_.front());
      sent_order_.pop_front();
    }
  }
  it->second.insert(node.name);
}

Status ClusterSink::SendToShard(int64_t batch_id, int shard,
                                std::chrono::steady_clock::time_point deadline,
                                const std::function<Status(Node&)>& send, const Status& abort) {
  Status last;
  for (Node* node : ReplicasOf(shard)) {
    if (clock_.Now() >= deadline) break;
    Status s = send(*node);
    if (!abort.ok()) return abort;
    if (!NeverReachedServer(s)) RememberSent(batch_id, *node);
    if (s.ok()) {
      MarkWell(*node);
      return Status::Ok();
    }
    if (!IsNodeFault(s)) return s;
    MarkDown(*node, s);
    last = s;
  }
  // The shards sent so far keep their rows: the retry's recovery check finds them.
  return NoReplica(shard, last);
}

Status ClusterSink::Insert(int64_t batch_id, const std::vector<OutboxRow>& rows) {
  if (rows.empty()) return Status::Ok();
  for (auto& node : nodes_) Usable(*node);  // learns the shard map before the split
  if (!shards_) return NoReplica(1, {});
  // One call must end well within the batch's lease (>= 2 x the request timeout + 1 s): no new
  // request once the request timeout has passed; the batch is retried later instead.
  const auto deadline = clock_.Now() + std::chrono::milliseconds(options_.base.timeout_ms);
  const Status never = Status::Ok();
  for (const auto& shard_part : SplitByShard(rows)) {
    const std::vector<OutboxRow>& part = shard_part.second;
    Status s = SendToShard(
        batch_id, shard_part.first, deadline,
        [&](Node& node) { return node.sink.Insert(batch_id, part); }, never);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status ClusterSink::InsertStream(int64_t batch_id, const RowStreamOpener& open,
                                 int64_t expected_rows) {
  for (auto& node : nodes_) Usable(*node);  // learns the shard map
  if (!shards_) return NoReplica(1, {});
  const auto deadline = clock_.Now() + std::chrono::milliseconds(options_.base.timeout_ms);
  int64_t sent_rows = 0;
  Status source_failed;  // PostgreSQL's trouble, not a node's: the call ends
  for (int shard = 1; shard <= shards_->shards(); ++shard) {
    auto send_part = [&](Node& node) -> Status {
      auto format = node.sink.FormatForStream();
      if (!format.ok()) return format.status();
      format->shard_slots = shards_->slots();
      format->slots = shards_->SlotsOf(shard);
      auto part = open(*format);
      if (!part.ok()) return source_failed = part.status();
      Status s = node.sink.SendStream(batch_id, **part);
      if (s.ok()) sent_rows += (*part)->rows();
      return s;
    };
    if (Status s = SendToShard(batch_id, shard, deadline, send_part, source_failed); !s.ok()) {
      return s;
    }
  }
  // The parts together must be the batch: if not, the retry's recovery check sends what is missing.
  if (sent_rows != expected_rows) {
    return {StatusCode::kInternal, "the batch holds " + std::to_string(expected_rows) +
                                       " rows but its parts read " + std::to_string(sent_rows)};
  }
  return Status::Ok();
}

std::vector<ClusterSink::Node*> ClusterSink::MustAnswer(int64_t batch_id, int shard) {
  std::vector<Node*> out;
  auto known = sent_.find(batch_id);
  for (auto& node : nodes_) {
    if (known != sent_.end()) {
      if (known->second.count(node->name) && node->shard == shard) out.push_back(node.get());
    } else if (node->shard == shard || node->shard == 0) {
      out.push_back(node.get());
    }
  }
  return out;
}

Result<Presence> ClusterSink::FindPresent(int64_t batch_id, const std::vector<OutboxRow>& rows) {
  Presence found;
  if (rows.empty()) return found;
  for (auto& node : nodes_) Usable(*node);
  if (!shards_) return NoReplica(1, {});
  for (const auto& [shard, part] : SplitByShard(rows)) {
    // The replicas that may hold an earlier try of these rows must all answer: those this sink
    // sent the batch to, or, when it does not know (a batch from another relay, or from before
    // a restart), every node that is or may be a replica of the shard. A replica that took the
    // INSERT may be ahead of the others, and the next try may not be the same block (a split
    // batch), so replicated deduplication alone cannot be relied on.
    std::set<Node*> asked;
    for (Node* node : MustAnswer(batch_id, shard)) {
      Status learned = node->shard == 0 ? Learn(*node) : Status::Ok();
      if (learned.ok() && node->shard != shard) continue;  // another shard's node
      Result<Presence> r =
          learned.ok() ? node->sink.FindPresent(batch_id, part) : Result<Presence>(learned);
      if (!r.ok()) {
        if (IsNodeFault(r.status())) MarkDown(*node, r.status());
        return r.status().WithMessage(
            "recovery check: " + node->name +
            ", which may hold rows of this batch, does not answer: " + r.status().message());
      }
      asked.insert(node);
      found.present.insert(r->present.begin(), r->present.end());
      found.reused.insert(r->reused.begin(), r->reused.end());
    }
    // The other reachable replicas too: more answers only add rows found.
    for (Node* node : ReplicasOf(shard)) {
      if (asked.count(node)) continue;
      auto r = node->sink.FindPresent(batch_id, part);
      if (!r.ok()) {
        if (!IsNodeFault(r.status())) return r.status();
        MarkDown(*node, r.status());
        continue;
      }
      asked.insert(node);
      found.present.insert(r->present.begin(), r->present.end());
      found.reused.insert(r->reused.begin(), r->reused.end());
    }
    if (asked.empty()) return NoReplica(shard, {});
  }
  // A row another replica holds is no reused id.
  for (const std::string& id : found.present) found.reused.erase(id);
  return found;
}

}  // namespace eventlog
