// eventlog::outbox as another project consumes it (issue 9): `cmake --install` of this build,
// then an application outside the tree (tests/integration/consumer) built once with
// find_package(eventlog) and once with pkg-config; each run enqueues an event that the relay
// delivers to ClickHouse.
#include <filesystem>

#include "tests/integration/relay_fixture.h"

namespace eventlog::testing {
namespace {

std::string LastLine(const std::string& text) {
  std::string t = text;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  return t.substr(t.rfind('\n') == std::string::npos ? 0 : t.rfind('\n') + 1);
}

class InstallTest : public RelayIntegrationTest {};

TEST_F(InstallTest, AnOutOfTreeApplicationBuildsAgainstTheInstalledLibraryAndItsEventArrives) {
  const std::string root = std::string(EVENTLOG_BUILD_DIR) + "/install-test";
  std::filesystem::remove_all(root);
  const std::string prefix = root + "/prefix";
  const CliRun install_out =
      RunCommand("cmake --install " EVENTLOG_BUILD_DIR " --prefix " + prefix);
  ASSERT_EQ(install_out.exit_code, 0) << install_out.output;
  for (const char* file :
       {"/include/eventlog/outbox_writer.h", "/lib/libeventlog_outbox.a",
        "/lib/cmake/eventlog/eventlogConfig.cmake", "/lib/pkgconfig/eventlog-outbox.pc"}) {
    EXPECT_TRUE(std::filesystem::exists(prefix + file)) << file;
  }
  EXPECT_FALSE(std::filesystem::exists(prefix + "/include/eventlog/relay.h"))
      << "only the outbox library's headers are public";

  // find_package(eventlog) + target_link_libraries(consumer eventlog::outbox)
  const std::string consumer = EVENTLOG_SOURCE_DIR "/tests/integration/consumer";
  const CliRun build_out = RunCommand("cmake -S " + consumer + " -B " + root +
                                      "/cmake-build -DCMAKE_PREFIX_PATH=" + prefix +
                                      " && cmake --build " + root + "/cmake-build");
  ASSERT_EQ(build_out.exit_code, 0) << build_out.output;
  const CliRun cmake_app_out =
      RunCommand(root + "/cmake-build/consumer '" + Servers().database_url + "'");
  ASSERT_EQ(cmake_app_out.exit_code, 0) << cmake_app_out.output;

  // pkg-config --cflags --libs eventlog-outbox
  const CliRun compile_out = RunCommand(
      "g++ " + consumer + "/main.cc -o " + root + "/pc-consumer $(PKG_CONFIG_PATH=" + prefix +
      "/lib/pkgconfig pkg-config --cflags --libs eventlog-outbox)");
  ASSERT_EQ(compile_out.exit_code, 0) << compile_out.output;
  const CliRun pc_app_out = RunCommand(root + "/pc-consumer '" + Servers().database_url + "'");
  ASSERT_EQ(pc_app_out.exit_code, 0) << pc_app_out.output;

  Drain();
  for (const std::string& id : {LastLine(cmake_app_out.out), LastLine(pc_app_out.out)}) {
    EXPECT_EQ(ChScalar("SELECT event_type FROM event_log WHERE event_id = toUUID('" + id + "')"),
              "consumer_built")
        << id;
  }
  EXPECT_EQ(ChCount(), 2);
}

}  // namespace
}  // namespace eventlog::testing
