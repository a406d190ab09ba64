#include "relay/unique_ids.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <string_view>

namespace eventlog {

Result<std::string_view> UniqueIdCheck::Next() {
  auto piece = inner_->Next();
  if (!piece.ok()) return piece;
  std::string_view rest = *piece;
  if (rest.empty()) {  // the end: any id twice?
    std::sort(hashes_.begin(), hashes_.end());
    if (std::adjacent_find(hashes_.begin(), hashes_.end()) != hashes_.end()) {
      return Status(StatusCode::kRejected, "event_id reused within the batch");
    }
    return rest;
  }
  while (!rest.empty()) {
    const size_t end = std::min(rest.find('\n'), rest.size());
    const std::string_view line = rest.substr(0, end);
    hashes_.push_back(std::hash<std::string_view>{}(line.substr(0, line.find('\t'))));
    rest.remove_prefix(std::min(end + 1, rest.size()));
  }
  return piece;
}

}  // namespace eventlog
