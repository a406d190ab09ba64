#include "core/uuid7.h"

#include <array>
#include <cstdint>
#include <mutex>
#include <random>

namespace eventlog {
namespace {

// Monotonic within the process: when the clock has not moved, the 12-bit rand_a field acts
// as a counter (RFC 9562, method 1), so ids from one relay or service stay ordered.
struct Uuid7State {
  std::mutex mu;
  std::mt19937_64 rng{std::random_device{}()};
  uint64_t last_ms = 0;
  uint16_t counter = 0;
};

Uuid7State& State() {
  static Uuid7State state;
  return state;
}

}  // namespace

std::string NewUuid7(std::chrono::system_clock::time_point now) {
  auto ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  uint64_t random_bits;
  uint16_t seq;
  {
    Uuid7State& s = State();
    std::lock_guard lock(s.mu);
    if (ms <= s.last_ms) {
      ms = s.last_ms;
      if (++s.counter > 0x0fff) {  // counter exhausted: borrow the next millisecond
        ms = ++s.last_ms;
        s.counter = static_cast<uint16_t>(s.rng() & 0x07ff);
      }
    } else {
      s.last_ms = ms;
      s.counter = static_cast<uint16_t>(s.rng() & 0x07ff);  // leave room to count up
    }
    seq = s.counter;
    random_bits = s.rng();
  }
  std::array<uint8_t, 16> b{};
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  b[6] = static_cast<uint8_t>(0x70 | ((seq >> 8) & 0x0f));
  b[7] = static_cast<uint8_t>(seq & 0xff);
  for (int i = 8; i < 16; ++i) b[i] = static_cast<uint8_t>(random_bits >> (8 * (i - 8)));
  b[8] = static_cast<uint8_t>(0x80 | (b[8] & 0x3f));  // RFC 4122 variant

  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0f]);
  }
  return out;
}

bool IsUuidText(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

}  // namespace eventlog
