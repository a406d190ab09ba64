#include "core/backoff.h"

#include <algorithm>

namespace eventlog {

std::chrono::milliseconds BackoffDelay(int attempt, std::chrono::milliseconds base,
                                       std::chrono::milliseconds max, Jitter& jitter) {
  int64_t cap = std::max<int64_t>(max.count(), 1);
  int64_t d = std::max<int64_t>(base.count(), 1);
  for (int i = 1; i < attempt && d < cap; ++i) d *= 2;
  d = std::min(d, cap);
  return std::chrono::milliseconds(jitter.Uniform(d / 2, d));
}

}  // namespace eventlog
