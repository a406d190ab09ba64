#pragma once

#include "core/config.h"
#include "service/http_api.h"

namespace eventlog {

// The users service's HTTP admission (EVENTLOG_HTTP_THREADS, _QUEUE, _REQUEST_TIMEOUT_MS).
HttpOptions ToHttpOptions(const Config& config);

}  // namespace eventlog
