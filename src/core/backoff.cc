#include "core/backoff.h"

#include <algorithm>

namespace eventlog {

std::chrono::milliseconds BackoffDelay(int attempt, std::chrono::milliseconds base,
                                       std::chrono::milliseconds max, std::mt19937_64& rng) {
  int64_t cap = std::max<int64_t>(max.count(), 1);
  int64_t d = std::max<int64_t>(base.count(), 1);
  for (int i = 1; i < attempt && d < cap; ++i) d *= 2;
  d = std::min(d, cap);
  std::uniform_int_distribution<int64_t> jitter(d / 2, d);
  return std::chrono::milliseconds(jitter(rng));
}

}  // namespace eventlog
