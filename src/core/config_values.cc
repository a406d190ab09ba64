#include "core/config_values.h"

#include <charconv>
#include <regex>

namespace eventlog::config_values {

Status Invalid(const std::string& var, const std::string& shown_value, const std::string& why) {
  return {StatusCode::kInvalidArgument, var + "=\"" + shown_value + "\" " + why};
}

bool IsHostName(const std::string& host) {
  static const std::regex kName("[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?");
  static const std::regex kIpv6("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    return std::regex_match(host.substr(1, host.size() - 2), kIpv6);
  }
  return std::regex_match(host, kIpv6) || std::regex_match(host, kName);
}

bool ParsePort(std::string_view text, int& port) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  return ec == std::errc() && p == text.data() + text.size() && port >= 1 && port <= 65535;
}

std::vector<std::string> SplitOn(const std::string& text, const std::string& separators) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of(separators, start);
    if (end == std::string::npos) end = text.size();
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

}  // namespace eventlog::config_values
