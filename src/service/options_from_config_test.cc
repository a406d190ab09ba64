#include "service/options_from_config.h"

#include <gtest/gtest.h>

namespace eventlog {
namespace {

TEST(OptionsFromConfig, DefaultsAreHttpOptionsOwn) {
  HttpOptions o = ToHttpOptions(LoadConfig({}).value());
  HttpOptions expected;
  EXPECT_EQ(o.threads, expected.threads);
  EXPECT_EQ(o.queue, expected.queue);
  EXPECT_EQ(o.request_timeout, expected.request_timeout);
}

TEST(OptionsFromConfig, CarriesTheAdmissionSettings) {
  HttpOptions o = ToHttpOptions(LoadConfig({{"EVENTLOG_HTTP_THREADS", "8"},
                                            {"EVENTLOG_HTTP_QUEUE", "0"},
                                            {"EVENTLOG_HTTP_REQUEST_TIMEOUT_MS", "250"}})
                                    .value());
  EXPECT_EQ(o.threads, 8u);
  EXPECT_EQ(o.queue, 0u);
  EXPECT_EQ(o.request_timeout, std::chrono::milliseconds(250));
}

}  // namespace
}  // namespace eventlog
