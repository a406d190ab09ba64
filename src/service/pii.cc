#include "service/pii.h"

namespace eventlog {

std::string MaskEmail(std::string_view email) {
  auto at = email.rfind('@');
  if (at == std::string_view::npos) return "***";
  std::string out = at > 0 ? std::string(email.substr(0, 1)) : std::string();
  return out + "***" + std::string(email.substr(at));
}

std::string MaskValues(std::string text, std::initializer_list<std::string_view> values) {
  for (std::string_view value : values) {
    if (value.size() < 3) continue;
    for (auto at = text.find(value); at != std::string::npos; at = text.find(value, at + 3)) {
      text.replace(at, value.size(), "***");
    }
  }
  return text;
}

bool HasControlCharacter(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < text.size()) {
      auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

}  // namespace eventlog
