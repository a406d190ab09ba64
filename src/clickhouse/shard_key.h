#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "eventlog/status.h"

namespace eventlog {

// Which shard of a cluster an event lives on. The relay splits a batch by it and the
// Distributed table `eventlog migrate` creates uses the same key, so an event lands on the same
// shard whichever way it is written, and a retried INSERT meets its first try on that shard
// (where replicated block deduplication and the recovery check can see it).

// The shard key: the low 64 bits of the event id, read big-endian (for
// 0189a4e8-1c2b-7d3e-8f40-123456789abc: 0x8f40123456789abc). In a UUIDv7 those bits are random.
// 0 for text that is not a UUID (ClickHouse refuses such a row anyway).
uint64_t EventShardKey(std::string_view event_id);

// The same key as a ClickHouse expression over event_id (18.16 and later).
inline constexpr const char* kShardKeySql =
    "reinterpretAsUInt64(reverse(substring(UUIDStringToNum(toString(event_id)), 9, 8)))";

// Shards and their weights as remote_servers lists them: the key picks a slot (key modulo the
// sum of the weights) and each shard owns `weight` consecutive slots, in shard order, as
// ClickHouse's Distributed engine does.
class ShardMap {
 public:
  ShardMap() = default;
  // `weights[i]`: the weight of shard i + 1 (shard_num is 1-based). Weights must be >= 1.
  static Result<ShardMap> FromWeights(const std::vector<int>& weights);

  int shards() const { return shards_; }
  // The number of slots (the sum of the weights) and the slots shard `shard` owns.
  int slots() const { return static_cast<int>(slot_to_shard_.size()); }
  std::vector<int> SlotsOf(int shard) const;
  // 1-based shard number of `key`.
  int ShardOf(uint64_t key) const;

 private:
  int shards_ = 0;
  std::vector<int> slot_to_shard_;
};

}  // namespace eventlog
