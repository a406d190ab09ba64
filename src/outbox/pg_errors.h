#pragma once

#include <functional>

#include "eventlog/status.h"

namespace eventlog {

// Runs `fn`, turning libpqxx exceptions into a Status once, here at the adapter: a lost or
// refused connection, server shutdown and a statement_timeout (57014) are kUnavailable (retry),
// a unique violation kConflict, anything else kInternal. Messages are scrubbed of registered
// secrets.
Status CatchPg(const std::function<Status()>& fn);

}  // namespace eventlog
