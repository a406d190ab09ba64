#include "core/clickhouse_hosts.h"

#include <algorithm>
#include <regex>

#include "core/config_values.h"
#include "core/control_characters.h"
#include "core/secrets.h"
#include "core/stored_text.h"

namespace eventlog {
namespace {

using config_values::Invalid;
using config_values::IsHostName;
using config_values::ParsePort;
using config_values::SplitOn;

// A CLICKHOUSE_HOSTS entry as a message may show it. Whatever precedes its last '@' may be a
// user and a password in any form (user:pw@host, pw@host, http://user:pw@host): masked.
std::string ShownHostEntry(const std::string& item) {
  size_t at = item.rfind('@');
  if (at == std::string::npos) return RedactUrl(item);
  size_t scheme = item.find("://");
  size_t from = scheme != std::string::npos && scheme < at ? scheme + 3 : 0;
  return ScrubSecrets(item.substr(0, from) + "***" + item.substr(at));
}

}  // namespace

Status CheckClickHouseHost(const std::string& host) {
  static const std::regex kHostPort("(\\[.*\\]|[^:]*):[0-9]*");
  if (IsHostName(host)) return Status::Ok();
  if (std::regex_match(host, kHostPort)) {
    return Invalid("CLICKHOUSE_HOST", host,
                   "is host:port; set the host alone in CLICKHOUSE_HOST and the port in "
                   "CLICKHOUSE_PORT (or list nodes in CLICKHOUSE_HOSTS)");
  }
  return Invalid("CLICKHOUSE_HOST", host,
                 "is not a host name, an IPv4 address or an IPv6 address in brackets ([::1])");
}

// CLICKHOUSE_HOSTS: "host:port,host:port"; a node without ":port" gets `default_port`; IPv6
// addresses in brackets ("[::1]:8123"). Credentials belong in CLICKHOUSE_USER/PASSWORD only.
Status ReadClickHouseHosts(const EnvMap& env, int default_port,
                           std::vector<ClickHouseEndpoint>& out) {
  auto it = env.find("CLICKHOUSE_HOSTS");
  if (it == env.end() || it->second.empty()) return Status::Ok();  // empty: not set
  std::string value;
  for (const std::string& item : SplitOn(it->second, ",")) {
    value += (value.empty() ? "" : ",") + ShownHostEntry(item);
  }
  std::vector<ClickHouseEndpoint> nodes;
  for (std::string item : SplitOn(it->second, ",")) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (HasAsciiControl(item)) {
      return Invalid("CLICKHOUSE_HOSTS", StoredText(value, 200), "contains a control character");
    }
    if (item.find('@') != std::string::npos) {
      return Invalid("CLICKHOUSE_HOSTS", value,
                     "has \"" + ShownHostEntry(item) +
                         "\" with credentials: list host:port only and set CLICKHOUSE_USER and "
                         "CLICKHOUSE_PASSWORD");
    }
    ClickHouseEndpoint node{item, default_port};
    size_t colon = item.rfind(':');
    bool bracketed = !item.empty() && item.front() == '[';
    if (colon != std::string::npos && (!bracketed || item[colon - 1] == ']')) {
      node.host = item.substr(0, colon);
      if (!ParsePort(std::string_view(item).substr(colon + 1), node.port)) {
        return Invalid(
            "CLICKHOUSE_HOSTS", value,
            "has \"" + ShownHostEntry(item) + "\" whose port is not a number in 1..65535");
      }
    }
    static const std::regex kBareIpv6(".*:.*");
    if (node.host.empty() || !IsHostName(node.host) ||
        (node.host.front() != '[' && std::regex_match(node.host, kBareIpv6))) {
      return Invalid("CLICKHOUSE_HOSTS", value,
                     "has \"" + ShownHostEntry(item) +
                         "\", not host:port (a name, an IPv4 address, or an IPv6 address in "
                         "brackets)");
    }
    if (std::find(nodes.begin(), nodes.end(), node) != nodes.end()) {
      return Invalid("CLICKHOUSE_HOSTS", value, "names " + node.ToString() + " twice");
    }
    nodes.push_back(node);
  }
  out = std::move(nodes);
  return Status::Ok();
}

}  // namespace eventlog
