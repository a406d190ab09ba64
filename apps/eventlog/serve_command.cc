#include <cstdlib>

#include "app.h"
#include "observe/logger.h"
#include "observe/metrics.h"
#include "outbox/outbox_gauges.h"
#include "outbox/pg_dsn.h"
#include "outbox/pg_pool.h"
#include "outbox/pg_user_repository.h"
#include "service/create_user.h"
#include "service/http_api.h"
#include "service/options_from_config.h"
#include "signals.h"

namespace eventlog::app {
namespace {

constexpr std::string_view kLogger = "eventlog.serve";

int Serve(const Config& config) {
  PgPool pool(config.database_url, config.db_pool_size,
              std::chrono::milliseconds(config.db_pool_wait_ms));
  OutboxWriter writer(config.environment, static_cast<size_t>(config.max_event_bytes));
  PgUserRepository users(pool, writer);
  CreateUser create_user(users, config.log_mask_pii);
  Metrics metrics;
  OutboxGaugeReader gauges(config.database_url);  // connects on the first scrape
  metrics.AddOutboxGaugeSource(PgSourceName(config.database_url),
                               [&gauges] { return gauges.Read(); });
  HttpApi api(users, create_user, ToHttpOptions(config), &metrics);
  const auto timeout = std::chrono::milliseconds(config.shutdown_timeout_ms);
  // SIGTERM: stop accepting; requests still arriving get half the timeout, those being handled
  // finish; then exit 0. Past the whole timeout (a handler stuck), exit 1 regardless.
  ShutdownSignal on_signal(
      [&api, timeout] {
        log::Info(kLogger, "shutting down", {{"timeout_ms", timeout.count()}});
        api.Stop(timeout / 2);
      },
      timeout,
      [timeout] {
        log::Error(kLogger, "shutdown timeout passed: exiting with requests unfinished",
                   {{"timeout_ms", timeout.count()}});
        std::_Exit(kExitFailure);
      });
  log::Info(kLogger, "listening",
            {{"host", config.host},
             {"port", config.port},
             {"threads", config.http_threads},
             {"queue", config.http_queue},
             {"request_timeout_ms", config.http_request_timeout_ms},
             {"database", RedactUrl(config.database_url)}});
  if (!api.Listen(config.host, config.port)) {
    log::Error(kLogger, "cannot listen", {{"host", config.host}, {"port", config.port}});
    return kExitFailure;
  }
  log::Info(kLogger, "stopped");
  return kExitOk;
}

}  // namespace

void AddServeCommand(CLI::App& app, const Globals& globals, int& exit_code) {
  auto* cmd = app.add_subcommand("serve", "Run the users service (POST /users, GET /healthz)");
  cmd->callback([&globals, &exit_code] {
    Config config;
    exit_code = LoadConfigAndLogging(globals, config) ? Serve(config) : kExitUsage;
  });
}

}  // namespace eventlog::app
