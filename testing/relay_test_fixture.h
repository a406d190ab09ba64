#pragma once

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

#include <chrono>
#include <memory>
#include <vector>

#include "observe/logger.h"
#include "relay/relay.h"
#include "testing/fake_event_sink.h"
#include "testing/fake_outbox_store.h"
#include "testing/manual_clock.h"

namespace eventlog::testing {

inline const Status kNetworkDown(StatusCode::kUnavailable, "Connection refused");

// Shared set-up of the relay's state-machine tests: a manual clock, the fakes, a policy with
// small delays, and logging silenced.
class RelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::Init(LogFormat::kJson, "off", std::make_shared<spdlog::sinks::null_sink_mt>());
  }

  StepOutcome Step() { return RunRelayStep(store_, sink_, policy_); }
  // Moves time past any retry delay the policy can choose.
  void PassRetryDelay() { clock_.Advance(policy_.retry_max + std::chrono::milliseconds(1)); }
  // Every row of `rows` is in the sink exactly once.
  void ExpectEachDeliveredOnce(const std::vector<OutboxRow>& rows) {
    for (const auto& r : rows) EXPECT_EQ(sink_.CountOf(r.event_id), 1) << r.event_id;
  }

  ManualClock clock_;
  FakeOutboxStore store_{clock_};
  FakeEventSink sink_;
  RelayPolicy policy_{.batch_size = 100,
                      .max_attempts = 3,
                      .retry_base = std::chrono::milliseconds(200),
                      .retry_max = std::chrono::milliseconds(2000),
                      .poll_interval = std::chrono::milliseconds(1000)};
};

}  // namespace eventlog::testing
