#include "core/tsv.h"

#include <algorithm>

namespace eventlog {

std::vector<std::string_view> SplitTsvFields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == '\t') {
      fields.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  return fields;
}

void AppendTsvEscaped(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\0': out += "\\0"; break;
      default: out.push_back(c);
    }
  }
}

std::string TsvUnescape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '\\' || i + 1 == value.size()) {
      out.push_back(value[i]);
      continue;
    }
    char c = value[++i];
    switch (c) {
      case 't': out.push_back('\t'); break;
      case 'n': out.push_back('\n'); break;
      case 'b': out.push_back('\b'); break;  // ClickHouse's output escapes these two as well
      case 'f': out.push_back('\f'); break;
      case 'r': out.push_back('\r'); break;
      case '0': out.push_back('\0'); break;
      default: out.push_back(c);
    }
  }
  return out;
}

void AppendEventTsvLine(std::string& out, const OutboxRow& r, std::string_view time_text) {
  AppendTsvEscaped(out, r.event_id);
  out += '\t';
  AppendTsvEscaped(out, r.event_type);
  out += '\t';
  out += time_text;
  out += '\t';
  AppendTsvEscaped(out, r.environment);
  out += '\t';
  AppendTsvEscaped(out, r.event_context);
  out += '\t';
  out += std::to_string(r.metadata_version);
  out += '\t';
  AppendTsvEscaped(out, r.trace_id);
  out += '\t';
  AppendTsvEscaped(out, r.span_id);
  out += '\n';
}

Result<std::vector<std::vector<int64_t>>> ReadTsvIntegers(std::string_view body) {
  std::vector<std::vector<int64_t>> rows;
  while (!body.empty()) {
    const size_t end = std::min(body.find('\n'), body.size());
    const std::string_view line = body.substr(0, end);
    body.remove_prefix(std::min(end + 1, body.size()));
    if (line.empty()) continue;
    std::vector<int64_t> row;
    for (std::string_view field : SplitTsvFields(line)) {
      int64_t v = 0;
      if (!ParseInt(field, v)) {
        return Status(StatusCode::kInternal,
                      "unexpected answer from ClickHouse: " + std::string(line.substr(0, 200)));
      }
      row.push_back(v);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace eventlog
