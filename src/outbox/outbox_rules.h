#pragma once

namespace eventlog {

// The event times event_outbox accepts (its CHECK constraint of migration 003, which must say
// the same): what DateTime64 holds. As an SQL condition on a row's event_date_time: the claim
// quarantines rows that fail it (written before the constraint existed), requeue leaves dead
// letters that fail it where they are.
inline constexpr const char* kStorableTimeSql =
    "(event_date_time >= timestamptz '1900-01-01 00:00:00+00' AND "
    "event_date_time < timestamptz '2300-01-01 00:00:00+00')";

}  // namespace eventlog
