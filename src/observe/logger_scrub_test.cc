#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "core/secrets.h"
#include "observe/logger.h"

namespace eventlog {
namespace {

TEST(LoggerScrub, NoLineCarriesARegisteredSecret) {
  RegisterSecret("logged-pw@1");
  for (LogFormat format : {LogFormat::kJson, LogFormat::kConsole}) {
    std::ostringstream out;
    log::Init(format, "info", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    {
      log::BoundContext ctx(log::Fields{{"dsn", "postgresql://u:logged-pw%401@h/db"}});
      log::Error("test", "connect failed: logged-pw@1",
                 {{"error", "bad password logged-pw@1"}, {"list", {"x", "logged-pw@1"}}});
    }
    log::Init(LogFormat::kJson, "off", nullptr);
    EXPECT_EQ(out.str().find("logged-pw"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("connect failed: ***"), std::string::npos) << out.str();
  }
}

}  // namespace
}  // namespace eventlog
