#include "clickhouse/shard_key.h"

#include <gtest/gtest.h>

namespace eventlog {
namespace {

TEST(EventShardKey, IsTheLowSixtyFourBitsReadBigEndian) {
  EXPECT_EQ(EventShardKey("0189a4e8-1c2b-7d3e-8f40-123456789abc"), 0x8f40123456789abcULL);
  EXPECT_EQ(EventShardKey("0189A4E8-1C2B-7D3E-8F40-123456789ABC"), 0x8f40123456789abcULL);
  EXPECT_EQ(EventShardKey("00000000-0000-0000-0000-000000000001"), 1u);
  EXPECT_EQ(EventShardKey("ffffffff-ffff-ffff-ffff-ffffffffffff"), ~uint64_t{0});
}

TEST(EventShardKey, IsZeroForTextThatIsNotAUuid) {
  EXPECT_EQ(EventShardKey(""), 0u);
  EXPECT_EQ(EventShardKey("0189a4e8-1c2b-7d3e-8f40-123456789ab"), 0u);
  EXPECT_EQ(EventShardKey("0189a4e8-1c2b-7d3e-8f40x123456789abc"), 0u);
  EXPECT_EQ(EventShardKey("0189a4e8-1c2b-7d3e-8f40-12345678gabc"), 0u);
}

TEST(ShardMap, GivesEachShardAsManySlotsAsItsWeight) {
  auto map = ShardMap::FromWeights({1, 2});
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  EXPECT_EQ(map->shards(), 2);
  EXPECT_EQ(map->ShardOf(0), 1);  // slot 0 -> shard 1
  EXPECT_EQ(map->ShardOf(1), 2);  // slots 1, 2 -> shard 2
  EXPECT_EQ(map->ShardOf(2), 2);
  EXPECT_EQ(map->ShardOf(3), 1);
  auto even = ShardMap::FromWeights({1, 1});
  ASSERT_TRUE(even.ok());
  EXPECT_EQ(even->ShardOf(0x8f40123456789abcULL), 1);  // an even key: slot 0
  EXPECT_EQ(even->ShardOf(0x8f40123456789abdULL), 2);
}

TEST(ShardMap, RefusesNoShardsAndBadWeights) {
  EXPECT_FALSE(ShardMap::FromWeights({}).ok());
  EXPECT_FALSE(ShardMap::FromWeights({1, 0}).ok());
  EXPECT_FALSE(ShardMap::FromWeights({100000}).ok());
}

}  // namespace
}  // namespace eventlog
