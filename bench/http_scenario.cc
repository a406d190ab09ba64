// POST /users against `eventlog serve` (a child at its defaults) under wrk: requests/s and p99.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "bench/scenarios.h"

namespace eventlog::bench {
namespace {

constexpr int kServePort = 58180;
constexpr const char* kWrk = "/usr/bin/wrk";
constexpr const char* kWrkArgs[] = {"-t2", "-c16", "-d5s", "--latency"};

// Each wrk thread numbers its own requests; `setup` gives every thread its own prefix, so
// every email is new (the users table refuses a second one).
constexpr const char* kPostUsersLua = R"lua(
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
n = 0
request = function()
  n = n + 1
  local body = '{"email":"wrk' .. tid .. '-' .. n .. '@example.com",' ..
               '"first_name":"Ada","last_name":"Lovelace"}'
  return wrk.format("POST", "/users", {["Content-Type"] = "application/json"}, body)
end
)lua";

bool PortAccepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

Status WaitForPort(faults::ChildProcess& serve, int port) {
  auto deadline = SteadyClock::now() + std::chrono::seconds(20);
  while (!PortAccepts(port)) {
    if (!serve.IsAlive() || SteadyClock::now() > deadline) {
      return {StatusCode::kUnavailable, "serve did not listen (see " + serve.log_path() + ")"};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::Ok();
}

// "13.22ms" -> 13.22; wrk prints us, ms, s or m.
double ToMs(const std::string& number, const std::string& unit) {
  double v = std::stod(number);
  if (unit == "us") return v / 1000;
  if (unit == "s") return v * 1000;
  if (unit == "m") return v * 60000;
  return v;
}

Result<HttpResult> ParseWrk(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string out = text.str();
  HttpResult r;
  std::smatch m;
  if (!std::regex_search(out, m, std::regex(R"(Requests/sec:\s+([0-9.]+))"))) {
    return Status(StatusCode::kInternal, "no Requests/sec in " + path);
  }
  r.requests_per_s = std::stod(m[1]);
  if (std::regex_search(out, m, std::regex(R"(\n\s+99%\s+([0-9.]+)(us|ms|s|m))"))) {
    r.p99_ms = ToMs(m[1], m[2]);
  }
  if (std::regex_search(out, m, std::regex(R"(Non-2xx or 3xx responses:\s+(\d+))"))) {
    r.errors += std::stoll(m[1]);
  }
  std::regex socket_errors(
      R"(Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+))");
  if (std::regex_search(out, m, socket_errors)) {
    for (int i = 1; i <= 4; ++i) r.errors += std::stoll(m[i]);
  }
  return r;
}

}  // namespace

Result<HttpResult> RunPostUsers(const BenchEnv& env) {
  if (Status s = FreshDatabases(env); !s.ok()) return s;
  if (access(kWrk, X_OK) != 0) {
    return Status(StatusCode::kFailedPrecondition, "wrk is missing (scripts/install-deps.sh)");
  }
  std::string script = env.log_dir + "/post_users.lua";
  std::ofstream(script, std::ios::trunc) << kPostUsersLua;
  faults::Env serve_env = ChildEnvironment(env);
  serve_env["PORT"] = std::to_string(kServePort);
  faults::ChildProcess serve(EventlogArgv("serve"), serve_env, env.source_dir,
                             env.log_dir + "/serve.log");
  if (Status s = WaitForPort(serve, kServePort); !s.ok()) return s;
  std::string wrk_log = env.log_dir + "/wrk.log";
  { std::ofstream truncate(wrk_log, std::ios::trunc); }  // this run's output only
  std::vector<std::string> argv = {kWrk};
  argv.insert(argv.end(), std::begin(kWrkArgs), std::end(kWrkArgs));
  argv.insert(argv.end(), {"-s", script, "http://127.0.0.1:" + std::to_string(kServePort)});
  int rc = faults::RunToCompletion(argv, {{"PATH", "/usr/bin:/bin"}}, env.source_dir, wrk_log,
                                   std::chrono::seconds(60));
  serve.Signal(SIGTERM);
  if (!serve.WaitFor(std::chrono::seconds(15))) serve.Kill();
  if (rc != 0) return Status(StatusCode::kInternal, "wrk exited " + std::to_string(rc));
  return ParseWrk(wrk_log);
}

}  // namespace eventlog::bench
