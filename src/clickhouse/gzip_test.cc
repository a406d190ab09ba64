#include "clickhouse/gzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

namespace eventlog {
namespace {

std::string Gunzip(const std::string& gz, size_t size) {
  z_stream z{};
  inflateInit2(&z, 15 + 16);
  std::string out(size, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  inflateEnd(&z);
  return out;
}

TEST(Gzip, MakesAGzipStreamThatInflatesBack) {
  std::string rows;
  for (int i = 0; i < 1000; ++i) rows += "0189\tuser_created\t2024-05-01 12:00:00\tTest\t{}\t1\n";
  auto gz = Gzip(rows);
  ASSERT_TRUE(gz.ok()) << gz.status().ToString();
  ASSERT_GE(gz->size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>((*gz)[0]), 0x1f);  // the gzip magic
  EXPECT_EQ(static_cast<unsigned char>((*gz)[1]), 0x8b);
  EXPECT_LT(gz->size(), rows.size() / 10);
  EXPECT_EQ(Gunzip(*gz, rows.size()), rows);
}

}  // namespace
}  // namespace eventlog
