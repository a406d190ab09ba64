#include "clickhouse/shard_key.h"

#include <string>

namespace eventlog {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A shard owns `weight` slots; a weight this large would make the slot table huge.
constexpr int kMaxWeight = 1000;

}  // namespace

uint64_t EventShardKey(std::string_view event_id) {
  // 8-4-4-4-12: the low 64 bits are the last two groups (4 + 12 hex digits).
  if (event_id.size() != 36 || event_id[23] != '-') return 0;
  uint64_t key = 0;
  for (size_t i = 19; i < 36; ++i) {
    if (i == 23) continue;
    int v = HexValue(event_id[i]);
    if (v < 0) return 0;
    key = (key << 4) | static_cast<uint64_t>(v);
  }
  return key;
}

Result<ShardMap> ShardMap::FromWeights(const std::vector<int>& weights) {
  if (weights.empty()) return Status(StatusCode::kFailedPrecondition, "the cluster has no shards");
  ShardMap map;
  map.shards_ = static_cast<int>(weights.size());
  for (size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] < 1 || weights[i] > kMaxWeight) {
      return Status(StatusCode::kFailedPrecondition,
                    "shard " + std::to_string(i + 1) + " has weight " + std::to_string(weights[i]) +
                        ", outside 1.." + std::to_string(kMaxWeight));
    }
    map.slot_to_shard_.insert(map.slot_to_shard_.end(), static_cast<size_t>(weights[i]),
                              static_cast<int>(i) + 1);
  }
  return map;
}

int ShardMap::ShardOf(uint64_t key) const {
  if (slot_to_shard_.empty()) return 1;
  return slot_to_shard_[key % slot_to_shard_.size()];
}

std::vector<int> ShardMap::SlotsOf(int shard) const {
  std::vector<int> out;
  for (size_t slot = 0; slot < slot_to_shard_.size(); ++slot) {
    if (slot_to_shard_[slot] == shard) out.push_back(static_cast<int>(slot));
  }
  return out;
}

}  // namespace eventlog
