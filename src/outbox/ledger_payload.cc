#include "outbox/ledger_payload.h"

#include "core/tsv.h"
#include "core/uuid7.h"

namespace eventlog {
namespace {

// A ledger line: the six event columns, then the trace and span ids (lines written before
// trace contexts have six fields and read as events without one).
constexpr size_t kLedgerFields = 8;
constexpr size_t kLedgerFieldsWithoutTrace = 6;

}  // namespace

std::string EncodeLedgerPayload(const std::vector<OutboxRow>& rows) {
  std::string out;
  out.reserve(rows.size() * 160);
  for (const OutboxRow& r : rows) AppendEventTsvLine(out, r, std::to_string(r.event_time_us));
  return out;
}

DecodedPayload DecodeLedgerPayload(std::string_view payload) {
  DecodedPayload out;
  size_t start = 0;
  for (int line_no = 1; start < payload.size(); ++line_no) {
    size_t end = payload.find('\n', start);
    if (end == std::string_view::npos) end = payload.size();
    std::string_view line = payload.substr(start, end - start);
    start = end + 1;
    auto fields = SplitTsvFields(line);
    OutboxRow r;
    std::string error;
    if (fields.size() != kLedgerFields && fields.size() != kLedgerFieldsWithoutTrace) {
      error = "has " + std::to_string(fields.size()) + " fields, expected 8 (or 6)";
    } else if (!ParseInt(fields[2], r.event_time_us) || !ParseInt(fields[5], r.metadata_version)) {
      error = "has a malformed time or metadata_version";
    } else if (r.event_id = TsvUnescape(fields[0]); !IsUuidText(r.event_id)) {
      error = "has an event_id that is not a UUID";
    }
    if (!error.empty()) {
      out.unreadable.push_back(
          {std::string(line), "batch payload line " + std::to_string(line_no) + " " + error});
      continue;
    }
    r.event_type = TsvUnescape(fields[1]);
    r.environment = TsvUnescape(fields[3]);
    r.event_context = TsvUnescape(fields[4]);
    if (fields.size() == kLedgerFields) {
      r.trace_id = TsvUnescape(fields[6]);
      r.span_id = TsvUnescape(fields[7]);
    }
    out.rows.push_back(std::move(r));
  }
  return out;
}

}  // namespace eventlog
