#pragma once

#include <functional>

#include "eventlog/status.h"

namespace eventlog {

// Runs `fn`, turning libpqxx exceptions into a Status once, here at the adapter: a lost or
// refused connection and server shutdown are kUnavailable (retry), a unique violation
// kConflict, anything else kInternal. Messages carry no connection string.
Status CatchPg(const std::function<Status()>& fn);

}  // namespace eventlog
