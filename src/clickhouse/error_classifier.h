#pragma once

#include <string>
#include <string_view>

#include "eventlog/status.h"

namespace eventlog {

// Turns a failed ClickHouse HTTP exchange into a typed Status, by the server's error code (the
// X-ClickHouse-Exception-Code header, or "Code: N" in the body as 18.16 sends it), because the
// HTTP status does not tell bad data from a broken server (a bad UUID is a 500 on 18.16):
//   kRejected            the data itself (parse errors, throwIf, constraint, size limits)
//   kFailedPrecondition  schema or access (unknown table/column/database, auth, readonly)
//   kTooLarge            the request as a whole is too heavy (AST, memory, partitions per
//                        block, the server's max_execution_time, HTTP 413): send smaller parts
//   kUnavailable         everything else: overload (too many parts), network, unknown codes
// The message is cleaned (see CleanClickHouseMessage).
// `header_code` is 0 when the header was absent.
Status ClassifyClickHouseError(long http_status, int header_code, std::string_view body);

// A failed transfer (libcurl's `curl_code`, not CURLE_OK) to the server named by `where`:
// kUnavailable, the request may or may not have reached the server. Its cause: kNeverSent when
// no connection was made (the message then says "(not sent: no connection)" for people), our own
// timeout (CLICKHOUSE_TIMEOUT_MS) kServerStrain, anything else kNode. Secrets are scrubbed.
Status ClassifyTransportError(int curl_code, const std::string& where);

// The server's message without C++ noise, registered secrets or the row text ClickHouse quotes
// back in parse errors (cut to a short prefix; codes, rows and columns stay), at most ~2000 bytes.
std::string CleanClickHouseMessage(std::string_view body);

// The server code in "Code: 376, e.displayText() = ..." or "Code: 376. DB::Exception: ...";
// 0 when there is none.
int ParseClickHouseCode(std::string_view body);

// Where in a 200 OK body an exception begins (ClickHouse reports a failure found while a
// result streams at the end of the body); npos when the body carries none.
size_t FindTrailingException(std::string_view body);

}  // namespace eventlog
