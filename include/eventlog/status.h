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

// An error as a value: the public API never throws. `server_code` keeps ClickHouse's
// error code (0 when there is none).
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, int server_code = 0)
      : code_(code), message_(std::move(message)), server_code_(server_code) {}

  static Status Ok() { return {}; }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  int server_code() const { return server_code_; }
  // Retrying the same request later may succeed without anybody changing anything.
  bool retryable() const { return code_ == StatusCode::kUnavailable; }
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  int server_code_ = 0;
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
