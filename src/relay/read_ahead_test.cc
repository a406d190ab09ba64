#include "relay/read_ahead.h"

#include <gtest/gtest.h>

#include <vector>

namespace eventlog {
namespace {

// `rows` rows "row <n>\n", then the end or (with `fail`) an error.
class CountingStream : public RowStream {
 public:
  CountingStream(int rows, bool fail) : rows_(rows), fail_(fail) {}
  Result<std::string_view> Next() override {
    if (next_ == rows_) {
      if (fail_) return Status(StatusCode::kUnavailable, "source broke");
      return std::string_view();
    }
    line_ = "row " + std::to_string(next_++) + "\n";
    return std::string_view(line_);
  }
  int64_t rows() const override { return next_; }
  std::chrono::nanoseconds read_time() const override { return {}; }

 private:
  int rows_;
  bool fail_;
  int next_ = 0;
  std::string line_;
};

std::string Expected(int rows) {
  std::string out;
  for (int i = 0; i < rows; ++i) out += "row " + std::to_string(i) + "\n";
  return out;
}

TEST(ReadAheadTest, HandsOutEveryRowInOrderInWholeRowChunks) {
  constexpr int kRows = 200000;  // several chunks, more than the read-ahead cap
  ReadAhead stream(std::make_unique<CountingStream>(kRows, false), size_t{64} << 10);
  std::string got;
  for (;;) {
    auto piece = stream.Next();
    ASSERT_TRUE(piece.ok());
    if (piece->empty()) break;
    EXPECT_EQ(piece->back(), '\n');  // whole rows only
    got.append(*piece);
  }
  EXPECT_EQ(got, Expected(kRows));
  EXPECT_EQ(stream.rows(), kRows);
  EXPECT_TRUE(stream.Next().ok());  // the end stays the end
}

TEST(ReadAheadTest, ASourceErrorComesAfterTheRowsBeforeIt) {
  ReadAhead stream(std::make_unique<CountingStream>(1000, true));
  std::string got;
  Status last;
  for (;;) {
    auto piece = stream.Next();
    if (!piece.ok()) {
      last = piece.status();
      break;
    }
    ASSERT_FALSE(piece->empty()) << "the stream must not end cleanly";
    got.append(*piece);
  }
  EXPECT_EQ(got, Expected(1000));
  EXPECT_EQ(last.code(), StatusCode::kUnavailable);
}

TEST(ReadAheadTest, AReaderThatGivesUpEarlyStopsTheThread) {
  auto stream = std::make_unique<ReadAhead>(std::make_unique<CountingStream>(10000000, false),
                                            size_t{64} << 10);
  ASSERT_TRUE(stream->Next().ok());
  stream.reset();  // must return: the producer waits for room and sees the stop
  SUCCEED();
}

}  // namespace
}  // namespace eventlog
