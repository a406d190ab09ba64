#include "core/stored_text.h"

#include <algorithm>

#include "core/secrets.h"

namespace eventlog {
namespace {

// Length of the well-formed UTF-8 sequence at `s[i]`, 0 when it is not one.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || (n == 1 && c == 0) || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  return n;
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    size_t n = Utf8SequenceLength(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string StoredText(std::string_view text, size_t max_bytes) {
  std::string scrubbed = ScrubSecrets(text);
  std::string out;
  out.reserve(std::min(scrubbed.size(), max_bytes + 3));
  for (size_t i = 0; i < scrubbed.size();) {
    size_t n = Utf8SequenceLength(scrubbed, i);
    if (out.size() + std::max<size_t>(n, 1) > max_bytes) return out + "...";
    if (n == 0) {
      out.push_back('?');
      ++i;
    } else {
      out.append(scrubbed, i, n);
      i += n;
    }
  }
  return out;
}

}  // namespace eventlog
