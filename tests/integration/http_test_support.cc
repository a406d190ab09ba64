#include "tests/integration/http_test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/integration/test_env.h"

namespace eventlog::testing {
namespace {

using Clock = std::chrono::steady_clock;

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = Loopback(0);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("no free port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

ServeChild::ServeChild(const ServeEnv& extra_env)
    : port_(FreePort()),
      log_path_("/tmp/eventlog-serve-" + std::to_string(getpid()) + "-" + std::to_string(port_) +
                ".log") {
  faults::Env env = {{"DATABASE_URL", Servers().database_url},
                     {"HOST", "127.0.0.1"},
                     {"PORT", std::to_string(port_)},
                     {"ENVIRONMENT", "Test"},
                     {"LOG_FORMAT", "json"},
                     {"LOG_LEVEL", "info"}};
  for (const auto& [k, v] : extra_env) env[k] = v;
  unlink(log_path_.c_str());  // the child appends
  child_ = std::make_unique<faults::ChildProcess>(
      std::vector<std::string>{EVENTLOG_BIN, "--env-file", "/dev/null", "serve"}, env, "/tmp",
      log_path_);
}

ServeChild::~ServeChild() {
  child_.reset();  // kills and reaps it if it still runs
  unlink(log_path_.c_str());
}

bool ServeChild::WaitHealthy(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (GetHealthz(port_, std::chrono::milliseconds(500)) == 200) return true;
    if (WaitExit(std::chrono::milliseconds(50))) return false;
  }
  return false;
}

void ServeChild::Signal(int signo) const {
  if (child_->exit_code() < 0) child_->Signal(signo);
}

bool ServeChild::WaitExit(std::chrono::milliseconds timeout) { return child_->WaitFor(timeout); }

std::string ServeChild::Output() const {
  std::ifstream in(log_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

long ServeChild::RssKiB() const {
  std::ifstream in("/proc/" + std::to_string(child_->pid()) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

int ConnectTo(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in addr = Loopback(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  int err = 0;
  socklen_t len = sizeof err;
  if (poll(&p, 1, 2000) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
    close(fd);
    return -1;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

bool SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

std::string ReadResponse(int fd, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::string out;
  char buf[4096];
  for (;;) {
    auto head_end = out.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      auto cl = out.find("Content-Length: ");
      size_t length =
          cl != std::string::npos && cl < head_end ? std::stoul(out.substr(cl + 16)) : 0;
      if (out.size() >= head_end + 4 + length) return out;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) != 1) return "";
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

int StatusOf(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return -1;
  return std::stoi(response.substr(9, 3));
}

std::string BodyOf(const std::string& response) {
  auto head_end = response.find("\r\n\r\n");
  return head_end == std::string::npos ? "" : response.substr(head_end + 4);
}

SlowSenders::SlowSenders(int port, int count, std::chrono::milliseconds interval) {
  for (int i = 0; i < count; ++i) {
    int fd = ConnectTo(port);
    if (fd >= 0) fds_.push_back(fd);
  }
  connected_ = static_cast<int>(fds_.size());
  thread_ = std::thread([this, interval] {
    const std::string head = "POST /users HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    while (!stop_) {
      int round = rounds_.load();
      char byte = round < static_cast<int>(head.size()) ? head[static_cast<size_t>(round)] : 'a';
      for (int fd : fds_) (void)send(fd, &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      ++rounds_;
      // Pacing the attack, not waiting for a condition.
      for (auto slept = std::chrono::milliseconds(0); slept < interval && !stop_;
           slept += std::chrono::milliseconds(10)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  });
}

SlowSenders::~SlowSenders() {
  stop_ = true;
  thread_.join();
  for (int fd : fds_) close(fd);
}

int GetHealthz(int port, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  int fd = ConnectTo(port);
  if (fd < 0) return -1;
  SendAll(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  std::string response = ReadResponse(fd, left);
  close(fd);
  return StatusOf(response);
}

}  // namespace eventlog::testing
