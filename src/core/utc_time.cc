#include "core/utc_time.h"

#include <cstdio>

namespace eventlog {
namespace {

// Howard Hinnant's civil_from_days: days since 1970-01-01 -> year, month, day.
void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
}

}  // namespace

std::string FormatUtcDateTime(int64_t time_us, int precision) {
  int64_t secs = time_us >= 0 ? time_us / 1000000 : (time_us - 999999) / 1000000;
  int64_t frac_us = time_us - secs * 1000000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t sod = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld:%02lld",
                        static_cast<long long>(y), m, d, static_cast<long long>(sod / 3600),
                        static_cast<long long>(sod / 60 % 60), static_cast<long long>(sod % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (precision > 0) {
    std::snprintf(buf, sizeof buf, "%06lld000", static_cast<long long>(frac_us));
    out += '.';
    out.append(buf, static_cast<size_t>(precision));
  }
  return out;
}

}  // namespace eventlog
