#include "outbox/tick_rows.h"

namespace eventlog {

std::string TickRowsSql(const std::string& columns, const TickBounds& b, bool ordered) {
  return "SELECT " + columns + "\n  FROM (SELECT lo, hi FROM eventlog_tick_ranges(" + b.done +
         ", " + b.tick + ")\n         WHERE hi > " + b.after_tx + " AND lo <= " + b.last_tx +
         ") r,\n       LATERAL (SELECT * FROM event_outbox\n                 WHERE (tx_id, id) > "
         "(greatest(r.lo, " +
         b.after_tx + "),\n                                      CASE WHEN r.lo > " + b.after_tx +
         " THEN 0 ELSE " + b.after_id + " END)\n                   AND (tx_id, id) <= (" +
         b.last_tx + ", " + b.last_id + ") AND tx_id < r.hi" +
         (ordered ? "\n                 ORDER BY tx_id, id" : "") + ") o";
}

}  // namespace eventlog
