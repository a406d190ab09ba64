#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "eventlog/event.h"

namespace eventlog {

// The batch ledger's payload: one TSV line per row with the time as integer microseconds, so
// a batch is stored exactly as it was claimed and re-encoded for whatever server it meets.
std::string EncodeLedgerPayload(const std::vector<OutboxRow>& rows);

// A payload line that holds no well-formed row, with why.
struct UnreadableLine {
  std::string text;  // the line as stored, whole: it is the only copy left
  std::string error;
};
struct DecodedPayload {
  std::vector<OutboxRow> rows;
  std::vector<UnreadableLine> unreadable;
};
// Decodes what it can. A line with the wrong number of fields, a bad number or an event_id that
// is not a UUID is set apart in `unreadable`, so one damaged line cannot stall its batch.
DecodedPayload DecodeLedgerPayload(std::string_view payload);

}  // namespace eventlog
