#include "core/control_characters.h"

namespace eventlog {
namespace {

bool IsAsciiControl(unsigned char c) { return c < 0x20 || c == 0x7F; }

}  // namespace

bool HasAsciiControl(std::string_view text) {
  for (char c : text) {
    if (IsAsciiControl(static_cast<unsigned char>(c))) return true;
  }
  return false;
}

bool HasControlCharacter(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (IsAsciiControl(c)) return true;
    if (c == 0xC2 && i + 1 < text.size()) {  // U+0080..U+009F: C2 80..C2 9F
      auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

}  // namespace eventlog
