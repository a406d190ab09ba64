#include "service/options_from_config.h"

#include <chrono>

namespace eventlog {

HttpOptions ToHttpOptions(const Config& c) {
  HttpOptions o;
  o.threads = static_cast<size_t>(c.http_threads);
  o.queue = static_cast<size_t>(c.http_queue);
  o.request_timeout = std::chrono::milliseconds(c.http_request_timeout_ms);
  return o;
}

}  // namespace eventlog
