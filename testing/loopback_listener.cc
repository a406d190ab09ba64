#include "testing/loopback_listener.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace eventlog::testing {

LoopbackListener::LoopbackListener(Mode mode) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      (mode != Mode::kRefuse && listen(fd_, 16) != 0)) {
    throw std::runtime_error("cannot set up a loopback socket");
  }
  port_ = ntohs(addr.sin_port);
  if (mode == Mode::kRefuse) {
    close(fd_);  // nobody listens on the port now: connecting is refused
    fd_ = -1;
  } else if (mode == Mode::kHangUp) {
    acceptor_ = std::thread([this] {
      while (!stopping_.load()) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 20) <= 0) continue;
        int conn = accept(fd_, nullptr, nullptr);
        if (conn < 0) continue;
        ++connections_;
        close(conn);
      }
    });
  }
}

LoopbackListener::~LoopbackListener() {
  stopping_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  if (fd_ >= 0) close(fd_);
}

}  // namespace eventlog::testing
