#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace eventlog {

// What went wrong, in the terms a caller acts on.
enum class StatusCode {
  kOk,
  kInvalidArgument,     // bad input from the caller or a bad setting; fix the input
  kUnavailable,         // network, timeout, overload, server restarting: retry later
  kRejected,            // the server refused this data (parse error, limit): isolate the rows
  kTooLarge,            // the request is too big or heavy for the server as a whole (AST too
                        // big, too many partitions in one INSERT, memory limit, a timeout
                        // that repeats): send it again in smaller parts, not unchanged
  kFailedPrecondition,  // schema or credentials wrong (unknown table, auth): retry, alert
  kConflict,            // a uniqueness rule was broken (e.g. email already exists)
  kLeaseLost,           // another relay took the batch over; drop it without touching it
  kInternal,
};

// Why a request failed, as the adapter that saw the failure tells it (the ClickHouse client
// classifies its server's codes and libcurl's results once): callers decide by this field and
// the StatusCode, never by reading a message or a server's code.
enum class FailureCause {
  kUnspecified,      // nothing more than the StatusCode says
  kData,             // the rows themselves (parse error, type, constraint): isolate them
  kSchema,           // schema or access (unknown table, authentication): fix the set-up
  kRequestTooHeavy,  // the request as a whole (AST, partitions per INSERT, HTTP 413)
  kServerStrain,     // the server ran out of memory or time on this request, or our own
                     // request timeout passed: the same request may strain it again
  kNeverSent,        // no connection was made: the server surely holds nothing of it
  kBatchInFlight,    // the server still runs an earlier request of this batch: wait for it
  kNode,             // this node: network, overload, restart, an unknown server code
};

const char* FailureCauseName(FailureCause cause);

// An error as a value: the public API never throws. `server_code` keeps ClickHouse's
// error code (0 when there is none); `cause` is the adapter's reading of the failure.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, int server_code = 0,
         FailureCause cause = FailureCause::kUnspecified)
      : code_(code), message_(std::move(message)), server_code_(server_code), cause_(cause) {}

  static Status Ok() { return {}; }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  int server_code() const { return server_code_; }
  FailureCause cause() const { return cause_; }
  // The same failure (code, server code, cause) told with another message: for context.
  Status WithMessage(std::string message) const {
    return {code_, std::move(message), server_code_, cause_};
  }
  // Retrying the same request later may succeed without anybody changing anything.
  bool retryable() const { return code_ == StatusCode::kUnavailable; }
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  int server_code_ = 0;
  FailureCause cause_ = FailureCause::kUnspecified;
};

const char* StatusCodeName(StatusCode code);

namespace internal {
// Reading the value of a Result that holds an error: prints `status` and aborts (a bug in the
// caller, which must check ok() first; never undefined behaviour).
[[noreturn]] void DieReadingValueOf(const Status& status);
}  // namespace internal

// A value or the Status that explains why there is none. Built from an OK Status it holds an
// internal error instead (there is no value to give), so ok() implies a value; reading the
// value of an error aborts with the error, never undefined behaviour.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status)                          // NOLINT(google-explicit-constructor)
      : status_(status.ok() ? Status(StatusCode::kInternal,
                                     "Result built from an OK status "
                                     "without a value")
                            : std::move(status)) {}

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return Checked(); }
  const T& value() const& { return Checked(); }
  T&& value() && { return std::move(Checked()); }
  T* operator->() { return &Checked(); }
  const T* operator->() const { return &Checked(); }
  T& operator*() & { return Checked(); }
  const T& operator*() const& { return Checked(); }

 private:
  T& Checked() {
    if (!value_) internal::DieReadingValueOf(status_);
    return *value_;
  }
  const T& Checked() const {
    if (!value_) internal::DieReadingValueOf(status_);
    return *value_;
  }

  std::optional<T> value_;
  Status status_;
};

}  // namespace eventlog
