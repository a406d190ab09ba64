#include "app.h"
#include "observe/logger.h"
#include "outbox/pg_pool.h"
#include "service/create_user.h"
#include "service/http_api.h"
#include "signals.h"

namespace eventlog::app {
namespace {

int Serve(const Config& config) {
  PgPool pool(config.database_url, config.db_pool_size);
  OutboxWriter writer(config.environment, static_cast<size_t>(config.max_event_bytes));
  CreateUser create_user(pool, writer);
  HttpApi api(pool, create_user);
  ShutdownSignal on_signal([&api] {
    log::Info("eventlog.serve", "shutting down");
    api.Stop();
  });
  log::Info(
      "eventlog.serve", "listening",
      {{"host", config.host}, {"port", config.port}, {"database", RedactUrl(config.database_url)}});
  if (!api.Listen(config.host, config.port)) {
    log::Error("eventlog.serve", "cannot listen", {{"host", config.host}, {"port", config.port}});
    return kExitFailure;
  }
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
