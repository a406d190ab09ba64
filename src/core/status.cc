#include "eventlog/status.h"

#include <cstdio>
#include <cstdlib>

namespace eventlog {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kRejected: return "rejected";
    case StatusCode::kTooLarge: return "too_large";
    case StatusCode::kFailedPrecondition: return "failed_precondition";
    case StatusCode::kConflict: return "conflict";
    case StatusCode::kLeaseLost: return "lease_lost";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

const char* FailureCauseName(FailureCause cause) {
  switch (cause) {
    case FailureCause::kUnspecified: return "unspecified";
    case FailureCause::kData: return "data";
    case FailureCause::kSchema: return "schema";
    case FailureCause::kRequestTooHeavy: return "request_too_heavy";
    case FailureCause::kServerStrain: return "server_strain";
    case FailureCause::kNeverSent: return "never_sent";
    case FailureCause::kBatchInFlight: return "batch_in_flight";
    case FailureCause::kNode: return "node";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out = StatusCodeName(code_);
  if (server_code_ != 0) out += " (code " + std::to_string(server_code_) + ")";
  return out + ": " + message_;
}

namespace internal {

void DieReadingValueOf(const Status& status) {
  std::fprintf(stderr, "eventlog: the value of a Result that holds an error was read: %s\n",
               status.ToString().c_str());
  std::abort();
}

}  // namespace internal

}  // namespace eventlog
