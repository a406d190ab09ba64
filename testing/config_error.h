#pragma once

#include <gtest/gtest.h>

#include <string>

#include "core/config.h"

namespace eventlog::testing {

// The message of the kInvalidArgument that LoadConfig must return for `env`.
inline std::string ConfigErrorOf(const EnvMap& env) {
  auto c = LoadConfig(env);
  EXPECT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  return c.status().message();
}

}  // namespace eventlog::testing
