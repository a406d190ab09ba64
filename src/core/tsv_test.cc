#include "core/tsv.h"

#include <gtest/gtest.h>

#include <string>

using namespace std::string_literals;

namespace eventlog {
namespace {

std::string Escaped(std::string_view s) {
  std::string out;
  AppendTsvEscaped(out, s);
  return out;
}

TEST(Tsv, EscapesWhatClickHouseReadsSpecially) {
  EXPECT_EQ(Escaped("a\tb\nc\\d\re\0f"s), "a\\tb\\nc\\\\d\\re\\0f");
  EXPECT_EQ(Escaped("plain {\"json\": 1}"), "plain {\"json\": 1}");
  std::string out = "keep:";
  AppendTsvEscaped(out, "\t");
  EXPECT_EQ(out, "keep:\\t");  // appends
}

TEST(Tsv, RoundTripsEveryAwkwardCharacter) {
  for (const std::string& s :
       {""s, "\\"s, "\\\\t"s, "tab\there"s, "line\nbreak"s, "cr\r\n"s, "nul\0mid"s, "\0"s,
        "ends with backslash\\"s, "{\"k\":\"v\\\\n\"}"s, "unicode ü €"s}) {
    std::string e = Escaped(s);
    EXPECT_EQ(e.find('\t'), std::string::npos);
    EXPECT_EQ(e.find('\n'), std::string::npos);
    EXPECT_EQ(e.find('\0'), std::string::npos);
    EXPECT_EQ(TsvUnescape(e), s) << e;
  }
}

}  // namespace
}  // namespace eventlog
