#include "clickhouse/error_classifier.h"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <string>

#include "clickhouse/error_codes.h"
#include "core/secrets.h"

namespace eventlog {
namespace {

namespace ce = clickhouse_error;

constexpr int kRejectedCodes[] = {
    ce::kCannotParseText,
    ce::kCannotParseEscapeSequence,
    ce::kCannotParseQuotedString,
    ce::kCannotParseInputAssertionFailed,
    ce::kCannotParseDate,
    ce::kCannotParseDateTime,
    ce::kTypeMismatch,
    ce::kArgumentOutOfBound,
    ce::kCannotConvertType,
    ce::kCannotParseNumber,
    ce::kIncorrectData,
    ce::kTooLargeStringSize,
    ce::kValueIsOutOfRangeOfDataType,
    ce::kCannotParseUuid,
    ce::kFunctionThrowIfValueIsNonZero,
    ce::kViolatedConstraint,
    ce::kStdException,
};

constexpr int kPreconditionCodes[] = {
    ce::kNoSuchColumnInTable, ce::kUnknownFunction,
    ce::kUnknownIdentifier,   ce::kUnknownTable,
    ce::kSyntaxError,         ce::kUnknownSetting,
    ce::kUnknownDatabase,     ce::kReadonly,
    ce::kUnknownUser,         ce::kWrongPassword,
    ce::kRequiredPassword,    ce::kIpAddressNotAllowed,
    ce::kAccessDenied,        ce::kAuthenticationFailed,
};

// Permanent for this request as a whole, not for its rows: smaller requests may pass.
// Memory and time are the server straining; a smaller request strains it less.
constexpr int kStrainCodes[] = {ce::kTimeoutExceeded, ce::kMemoryLimitExceeded};
constexpr int kTooHeavyCodes[] = {ce::kTooBigAst};

template <size_t N>
bool Contains(const int (&codes)[N], int code) {
  return std::find(std::begin(codes), std::end(codes), code) != std::end(codes);
}

// 252 is also "too many parts, merges are slower than inserts": overload, retried as is.
bool IsTooManyPartitions(int code, const std::string& msg) {
  return code == ce::kTooManyParts &&
         (msg.find("max_partitions_per_insert_block") != std::string::npos ||
          msg.find("partitions for single INSERT") != std::string::npos);
}

FailureCause CauseOf(int code, const std::string& msg) {
  if (Contains(kRejectedCodes, code)) return FailureCause::kData;
  if (Contains(kPreconditionCodes, code)) return FailureCause::kSchema;
  if (Contains(kStrainCodes, code)) return FailureCause::kServerStrain;
  if (Contains(kTooHeavyCodes, code) || IsTooManyPartitions(code, msg)) {
    return FailureCause::kRequestTooHeavy;
  }
  if (code == ce::kQueryWithSameIdIsAlreadyRunning) return FailureCause::kBatchInFlight;
  return FailureCause::kNode;
}

StatusCode CodeOf(int code, const std::string& msg) {
  switch (CauseOf(code, msg)) {
    case FailureCause::kData: return StatusCode::kRejected;
    case FailureCause::kSchema: return StatusCode::kFailedPrecondition;
    case FailureCause::kServerStrain:
    case FailureCause::kRequestTooHeavy: return StatusCode::kTooLarge;
    default: return StatusCode::kUnavailable;
  }
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
  if (code != 0) return {CodeOf(code, msg), msg, code, CauseOf(code, msg)};
  // No code: a proxy or load balancer answered. 413 means "too large": smaller parts may pass.
  if (http_status == 413) return {StatusCode::kTooLarge, msg, 0, FailureCause::kRequestTooHeavy};
  if (http_status == 401 || http_status == 403 || http_status == 404) {
    return {StatusCode::kFailedPrecondition, msg, 0, FailureCause::kSchema};
  }
  return {StatusCode::kUnavailable, msg, 0, FailureCause::kNode};
}

Status ClassifyTransportError(int curl_code, const std::string& where) {
  const auto rc = static_cast<CURLcode>(curl_code);
  FailureCause cause = FailureCause::kNode;
  std::string text = where + ": " + curl_easy_strerror(rc);
  if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
      rc == CURLE_COULDNT_RESOLVE_PROXY) {
    cause = FailureCause::kNeverSent;
    text += " (not sent: no connection)";
  } else if (rc == CURLE_OPERATION_TIMEDOUT) {
    cause = FailureCause::kServerStrain;
  }
  return {StatusCode::kUnavailable, ScrubSecrets(text), 0, cause};
}

}  // namespace eventlog
