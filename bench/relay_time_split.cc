#include "bench/relay_time_split.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace eventlog::bench {
namespace {

constexpr std::string_view kMessage = "relay time split";

// The console format: "<ts> [info   ] relay time split   [eventlog.relay] key=value ...".
bool AddConsoleLine(std::string_view line, RelayTimeSplit& split) {
  size_t at = line.find(kMessage);
  if (at == std::string_view::npos) return false;
  std::istringstream words{std::string(line.substr(at + kMessage.size()))};
  auto number = [](const std::string& v) {
    try {
      return std::stod(v);
    } catch (const std::exception&) {
      return 0.0;
    }
  };
  for (std::string word; words >> word;) {
    size_t eq = word.find('=');
    if (eq == std::string::npos) continue;
    std::string key = word.substr(0, eq);
    double v = number(word.substr(eq + 1));
    if (key == "batches") split.batches += static_cast<int64_t>(v);
    if (key == "delivered") split.delivered += static_cast<int64_t>(v);
    if (key == "claim_s") split.claim_s += v;
    if (key == "read_s") split.read_s += v;
    if (key == "send_s") split.send_s += v;
    if (key == "mark_s") split.mark_s += v;
  }
  ++split.lines;
  return true;
}

double NumberOr0(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

}  // namespace

bool AddTimeSplitLine(std::string_view line, RelayTimeSplit& split) {
  if (line.find(kMessage) == std::string_view::npos) return false;
  if (line.empty() || line.front() != '{') return AddConsoleLine(line, split);
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("message", std::string()) != kMessage) return false;
  split.batches += static_cast<int64_t>(NumberOr0(j, "batches"));
  split.delivered += static_cast<int64_t>(NumberOr0(j, "delivered"));
  split.claim_s += NumberOr0(j, "claim_s");
  split.read_s += NumberOr0(j, "read_s");
  split.send_s += NumberOr0(j, "send_s");
  split.mark_s += NumberOr0(j, "mark_s");
  ++split.lines;
  return true;
}

std::optional<RelayTimeSplit> ReadRelayTimeSplit(const std::string& path) {
  std::ifstream in(path);
  RelayTimeSplit split;
  for (std::string line; std::getline(in, line);) AddTimeSplitLine(line, split);
  if (split.lines == 0) return std::nullopt;
  return split;
}

}  // namespace eventlog::bench
