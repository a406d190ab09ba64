#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace eventlog::bench {

// The middle value (the upper one of an even count). REQUIRES: `v` is not empty.
template <typename T>
T Median(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The value below which a fraction `q` (0..1) of `sorted` lies, nearest rank.
// REQUIRES: `sorted` is sorted and not empty.
inline double Percentile(const std::vector<double>& sorted, double q) {
  size_t rank = static_cast<size_t>(q * static_cast<double>(sorted.size()));
  return sorted[std::min(rank, sorted.size() - 1)];
}

}  // namespace eventlog::bench
