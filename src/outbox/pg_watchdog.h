#pragma once

#include <atomic>
#include <chrono>
#include <memory>

namespace eventlog {

// The client side of "every PostgreSQL wait is bounded". The server's statement_timeout ends a
// statement that runs long, and TCP keepalives / tcp_user_timeout end a connection whose
// packets are dropped; neither helps when something between us and PostgreSQL accepts our
// packets and stays silent (a stuck proxy or balancer, a frozen server). A PgWatch is armed
// around each call on a connection: when the server has sent nothing for longer than the
// limit while the call waits, one shared watchdog thread shuts the socket down, so libpq's
// blocked read returns and the call fails as a lost connection.
//
// Silence is measured with the kernel's TCP_INFO (time since data last arrived), so a call of
// many statements may take as long as it needs while each one answers in time. Unix-domain
// sockets are not watched. Thread-safe.
class PgWatch {
 public:
  PgWatch() = default;
  ~PgWatch() { Stop(); }
  PgWatch(const PgWatch&) = delete;
  PgWatch& operator=(const PgWatch&) = delete;

  // Watches socket `fd` until Stop(); `silence_limit` <= 0 only honours AbortPgCalls.
  // REQUIRES: not started; `fd` stays open until Stop().
  void Start(int fd, std::chrono::milliseconds silence_limit);
  void Stop();
  // True when the watchdog or AbortPgCalls shut the socket down.
  bool fired() const;

  struct Entry;

 private:
  std::shared_ptr<Entry> entry_;
};

// For shutdown past its deadline: shuts down the socket of every call in flight and makes
// every later PgPool call fail at once (kUnavailable). Safe from any thread; irreversible.
void AbortPgCalls();
bool PgCallsAborted();

}  // namespace eventlog
