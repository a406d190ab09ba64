#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "eventlog/status.h"

// Reading single configuration values, shared by the readers of the settings
// (setting_kinds.cc, own_settings.cc, clickhouse_hosts.cc, config.cc).
namespace eventlog::config_values {

// The error for variable `var`: `VAR="shown value" why`. `shown_value` must hold no secret.
Status Invalid(const std::string& var, const std::string& shown_value, const std::string& why);

// A host name, an IPv4 address, or an IPv6 address (bare or in brackets).
bool IsHostName(const std::string& host);

// A port number in 1..65535, the whole of `text`.
bool ParsePort(std::string_view text, int& port);

// `text` cut at each of `separators` (empty parts kept).
std::vector<std::string> SplitOn(const std::string& text, const std::string& separators);

}  // namespace eventlog::config_values
