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

}  // namespace eventlog
