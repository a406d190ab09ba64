#include "clickhouse/error_classifier.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "core/secrets.h"

namespace eventlog {
namespace {

constexpr int kRejectedCodes[] = {
    6,     // CANNOT_PARSE_TEXT
    25,    // CANNOT_PARSE_ESCAPE_SEQUENCE
    26,    // CANNOT_PARSE_QUOTED_STRING
    27,    // CANNOT_PARSE_INPUT_ASSERTION_FAILED
    38,    // CANNOT_PARSE_DATE
    41,    // CANNOT_PARSE_DATETIME
    53,    // TYPE_MISMATCH
    69,    // ARGUMENT_OUT_OF_BOUND
    70,    // CANNOT_CONVERT_TYPE
    72,    // CANNOT_PARSE_NUMBER
    117,   // INCORRECT_DATA
    131,   // TOO_LARGE_STRING_SIZE
    321,   // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
    376,   // CANNOT_PARSE_UUID
    395,   // FUNCTION_THROW_IF_VALUE_IS_NON_ZERO
    469,   // VIOLATED_CONSTRAINT
    1001,  // STD_EXCEPTION while reading data
};

constexpr int kPreconditionCodes[] = {
    16,   // NO_SUCH_COLUMN_IN_TABLE
    46,   // UNKNOWN_FUNCTION
    47,   // UNKNOWN_IDENTIFIER
    60,   // UNKNOWN_TABLE
    62,   // SYNTAX_ERROR
    115,  // UNKNOWN_SETTING: the server was replaced by an older one; learn its settings again
    81,   // UNKNOWN_DATABASE
    164,  // READONLY
    192,  // UNKNOWN_USER
    193,  // WRONG_PASSWORD
    194,  // REQUIRED_PASSWORD
    195,  // IP_ADDRESS_NOT_ALLOWED
    497,  // ACCESS_DENIED
    516,  // AUTHENTICATION_FAILED
};

// Permanent for this request as a whole, not for its rows: smaller requests may pass.
constexpr int kTooLargeCodes[] = {
    159,  // TIMEOUT_EXCEEDED (the server's max_execution_time)
    168,  // TOO_BIG_AST
    241,  // MEMORY_LIMIT_EXCEEDED
};

constexpr int kTooManyParts = 252;  // also TOO_MANY_PARTITIONS, told apart by the message

template <size_t N>
bool Contains(const int (&codes)[N], int code) {
  return std::find(std::begin(codes), std::end(codes), code) != std::end(codes);
}

// Row text ClickHouse quotes back is cut to this many bytes: enough to recognise a value,
// too little to carry a whole email address or payload into logs and dead letters.
constexpr size_t kEchoedRowTextBytes = 16;
constexpr size_t kMaxMessageBytes = 2000;

std::string ShortEcho(std::string_view text) {
  if (text.size() <= kEchoedRowTextBytes) return std::string(text);
  return std::string(text.substr(0, kEchoedRowTextBytes)) + "...";
}

// "... before: <row text>: (at row 3)": keeps the position, cuts the text.
void CutTextBefore(std::string& msg) {
  constexpr std::string_view kBefore = "before: ";
  auto p = msg.find(kBefore);
  if (p == std::string::npos) return;
  p += kBefore.size();
  auto end = msg.find(": (at row", p);
  if (end == std::string::npos) end = std::min(msg.find('\n', p), msg.size());
  msg.replace(p, end - p, ShortEcho(std::string_view(msg).substr(p, end - p)));
}

// A line of the "Row N:" dump: `Column 1, name: env, type: String, parsed text: "<text>"` or
// `ERROR: garbage after UUID: "<text>"`; cuts what follows the first quote.
std::string CutQuotedEcho(std::string_view line) {
  auto q = line.find('"');
  if (q == std::string_view::npos) return std::string(line);
  std::string_view text = line.substr(q + 1);
  if (!text.empty() && text.back() == '"') text.remove_suffix(1);
  return std::string(line.substr(0, q + 1)) + ShortEcho(text) + '"';
}

std::string CutEchoedLines(const std::string& msg) {
  std::string out;
  size_t start = 0;
  while (start < msg.size()) {
    size_t end = std::min(msg.find('\n', start), msg.size());
    std::string_view line = std::string_view(msg).substr(start, end - start);
    bool dump = line.starts_with("Column ") || line.starts_with("ERROR: ");
    out += dump ? CutQuotedEcho(line) : std::string(line);
    if (end < msg.size()) out += '\n';
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string CleanClickHouseMessage(std::string_view body) {
  std::string msg(body);
  for (const char* noise : {", e.what() = DB::Exception", "e.displayText() = "}) {
    if (auto p = msg.find(noise); p != std::string::npos)
      msg.erase(p, std::string_view(noise).size());
  }
  CutTextBefore(msg);
  msg = ScrubSecrets(CutEchoedLines(msg));
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (msg.size() > kMaxMessageBytes) msg = msg.substr(0, kMaxMessageBytes) + "...";
  return msg;
}

int ParseClickHouseCode(std::string_view body) {
  auto p = body.find("Code: ");
  if (p == std::string_view::npos) return 0;
  p += 6;
  int code = 0;
  auto [end, ec] = std::from_chars(body.data() + p, body.data() + body.size(), code);
  return ec == std::errc() ? code : 0;
}

size_t FindTrailingException(std::string_view body) {
  auto p = body.rfind("Code: ");
  if (p == std::string_view::npos || (p > 0 && body[p - 1] != '\n')) return std::string_view::npos;
  return body.find("Exception", p) == std::string_view::npos ? std::string_view::npos : p;
}

Status ClassifyClickHouseError(long http_status, int header_code, std::string_view body) {
  int code = header_code != 0 ? header_code : ParseClickHouseCode(body);
  std::string msg = CleanClickHouseMessage(body);
  if (msg.empty()) msg = "HTTP " + std::to_string(http_status);
  if (code != 0) {
    if (Contains(kRejectedCodes, code)) return {StatusCode::kRejected, msg, code};
    if (Contains(kPreconditionCodes, code)) return {StatusCode::kFailedPrecondition, msg, code};
    if (Contains(kTooLargeCodes, code)) return {StatusCode::kTooLarge, msg, code};
    // 252 is also "too many parts, merges are slower than inserts": overload, retried as is.
    if (code == kTooManyParts &&
        (msg.find("max_partitions_per_insert_block") != std::string::npos ||
         msg.find("partitions for single INSERT") != std::string::npos)) {
      return {StatusCode::kTooLarge, msg, code};
    }
    return {StatusCode::kUnavailable, msg, code};
  }
  // No code: a proxy or load balancer answered. 413 means "too large": smaller parts may pass.
  if (http_status == 413) return {StatusCode::kTooLarge, msg};
  if (http_status == 401 || http_status == 403 || http_status == 404) {
    return {StatusCode::kFailedPrecondition, msg};
  }
  return {StatusCode::kUnavailable, msg};
}

}  // namespace eventlog
