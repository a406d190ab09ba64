#pragma once

#include <cstdint>
#include <mutex>
#include <random>

namespace eventlog {

// Random draws where a fleet must not move in step (retry backoff, the replica a cluster sink
// asks first): a seam, so a test or a replayed run gives a seed and gets the same draws.
// Thread-safe (one mutex; draws are rare: once per retry or per sink).
class Jitter {
 public:
  explicit Jitter(uint64_t seed) : rng_(seed) {}
  Jitter(const Jitter&) = delete;
  Jitter& operator=(const Jitter&) = delete;

  // A uniform draw from [lo, hi]; REQUIRES: lo <= hi.
  int64_t Uniform(int64_t lo, int64_t hi);

 private:
  std::mutex mu_;
  std::mt19937_64 rng_;  // GUARDED_BY(mu_)
};

// The process's own Jitter, seeded from std::random_device once: each relay draws differently.
Jitter& ProcessJitter();

}  // namespace eventlog
