// EVENTLOG_SOURCES at the command line: bad values refused without their passwords, and
// `eventlog status` reporting every source.
#include "tests/integration/sources_fixture.h"

namespace eventlog::testing::sources {
namespace {

// A value that is not a list of distinct URLs is refused before anything runs: exit 2, a message
// naming EVENTLOG_SOURCES, and no password in it.
TEST_F(Sources, BadSourcesAreRefusedWithoutThePassword) {
  for (const std::string value : {"postgresql://u:s3cret@h/a notaurl",
                                  "postgresql://u:s3cret@h/a postgresql://u:s3cret@h/a"}) {
    CliRun r = RunBadSources(value);
    EXPECT_EQ(r.exit_code, 2) << value << ": " << r.output;
    EXPECT_NE(r.err.find("EVENTLOG_SOURCES"), std::string::npos) << value << ": " << r.output;
    EXPECT_EQ(r.output.find("s3cret"), std::string::npos) << value << ": " << r.output;
  }
}

// The same for every position of the password: each URL of the list is redacted on its own
// (one RedactUrl over the whole value missed a source after a bad item or after a URL with a
// query).
TEST_F(Sources, NoPasswordInTheMessageWhereverItIs) {
  for (const std::string value : {"notaurl postgresql://u:s3cret@h/a",
                                  "postgresql://u:p@h/a?sslmode=disable "
                                  "postgresql://u:s3cret@h/b notaurl"}) {
    CliRun r = RunBadSources(value);
    EXPECT_EQ(r.exit_code, 2) << value << ": " << r.output;
    EXPECT_NE(r.err.find("EVENTLOG_SOURCES"), std::string::npos) << value << ": " << r.output;
    EXPECT_EQ(r.output.find("s3cret"), std::string::npos) << value << ": " << r.output;
  }
}

// `eventlog status --json` with EVENTLOG_SOURCES: one JSON line per source, each with its own
// pending count and its source (the URL without the password).
TEST_F(Sources, StatusReportsEverySource) {
  Enqueue(UrlA(), "AlphaEvent", 3);
  Enqueue(UrlB(), "BetaEvent", 5);
  CliRun r = RunEventlog(CliEnv(), "status --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::istringstream lines(r.out);
  std::vector<nlohmann::json> objects;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) objects.push_back(nlohmann::json::parse(line));
  }
  ASSERT_EQ(objects.size(), 2u) << r.out;
  EXPECT_EQ(objects[0]["pending"], 3) << r.out;
  EXPECT_EQ(objects[1]["pending"], 5) << r.out;
  EXPECT_FALSE(LabelNames(objects[0]["source"].get<std::string>(), SuffixB())) << r.out;
  EXPECT_TRUE(LabelNames(objects[1]["source"].get<std::string>(), SuffixB())) << r.out;
  EXPECT_EQ(r.output.find(":eventlog@"), std::string::npos) << "a password in the output";
  r = RunEventlog(CliEnv(), "status");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.out.find("source:"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace eventlog::testing::sources
