#include "core/jitter.h"

namespace eventlog {

int64_t Jitter::Uniform(int64_t lo, int64_t hi) {
  std::uniform_int_distribution<int64_t> draw(lo, hi);
  std::lock_guard lock(mu_);
  return draw(rng_);
}

Jitter& ProcessJitter() {
  static Jitter jitter{std::random_device{}()};
  return jitter;
}

}  // namespace eventlog
