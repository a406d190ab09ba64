// No output of the binary carries a password: every subcommand, run with passwords that
// libpq's parser trips over (a '%' not followed by hex digits, a raw '@', a blank), against a
// server that refuses them, a port where nothing listens, and with malformed DATABASE_URLs.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/test_env.h"

namespace eventlog::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Every form of each password (raw, percent-encoded any way) contains its token: alphanumerics
// are never encoded. The fragments catch a message that quotes the password only in part.
constexpr const char* kPgPassword = "p%zz@ss w0rd!";
constexpr const char* kPgPasswordEncoded = "p%25zz%40ss%20w0rd%21";
constexpr const char* kChPassword = "kl1ck%zz@ h0use!";
const std::vector<std::string> kForbidden = {"w0rd", "h0use", "zz@", "p%zz", "%25zz", "kl1ck"};

using Env = std::map<std::string, std::string>;

// `eventlog <args>` with exactly `env`, from /tmp (no .env); stdout and stderr in one file.
class Child {
 public:
  Child(const std::vector<std::string>& args, const Env& env) {
    char path[] = "/tmp/eventlog-secret-leak-XXXXXX";
    int fd = mkstemp(path);
    log_path_ = path;
    std::vector<std::string> argv = {EVENTLOG_BIN, "--env-file", "/dev/null"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> envs;
    for (const auto& [k, v] : env) envs.push_back(k + "=" + v);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      if (chdir("/tmp") != 0) _exit(127);
      std::vector<char*> a, e;
      for (auto& s : argv) a.push_back(s.data());
      for (auto& s : envs) e.push_back(s.data());
      a.push_back(nullptr);
      e.push_back(nullptr);
      execve(a[0], a.data(), e.data());
      _exit(127);
    }
    close(fd);
  }
  ~Child() {
    if (exit_code_ == -1) {
      kill(pid_, SIGKILL);
      Wait(seconds(5));
    }
    unlink(log_path_.c_str());
  }

  // The exit code, or -1 while it still runs after `timeout`.
  int Wait(milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (exit_code_ == -1) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      } else if (std::chrono::steady_clock::now() >= until) {
        break;
      } else {
        usleep(20000);  // polling the child's state, not waiting for time to pass
      }
    }
    return exit_code_;
  }
  void Terminate() { kill(pid_, SIGTERM); }

  std::string Output() const {
    std::ifstream f(log_path_);
    std::stringstream text;
    text << f.rdbuf();
    return text.str();
  }

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::string log_path_;
};

void ExpectNoSecret(const std::string& what, const std::string& output) {
  for (const std::string& fragment : kForbidden) {
    EXPECT_EQ(output.find(fragment), std::string::npos)
        << what << " printed \"" << fragment << "\":\n"
        << output;
  }
}

Env BaseEnv(const std::string& database_url) {
  const TestServers& s = Servers();
  return {{"PATH", "/usr/bin:/bin"},
          {"DATABASE_URL", database_url},
          {"CLICKHOUSE_HOST", "127.0.0.1"},
          {"CLICKHOUSE_PORT", std::to_string(s.clickhouse.port)},
          {"CLICKHOUSE_USER", "eventlog"},
          {"CLICKHOUSE_PASSWORD", kChPassword},
          {"CLICKHOUSE_SCHEMA", s.clickhouse.database},
          {"EVENTLOG_DB_CONNECT_TIMEOUT_MS", "2000"},
          {"EVENTLOG_POLL_INTERVAL_MS", "50"},
          {"EVENTLOG_RETRY_BASE_MS", "50"},
          {"EVENTLOG_RETRY_MAX_MS", "200"},
          {"EVENTLOG_SHUTDOWN_TIMEOUT_MS", "3000"},
          {"LOG_LEVEL", "debug"}};
}

// The test database's URL with `password` (as written) in place of the real one.
std::string WithPassword(const std::string& password) {
  std::string url = Servers().database_url;
  size_t at = url.find('@');
  size_t colon = url.rfind(':', at);
  return url.substr(0, colon + 1) + password + url.substr(at);
}

// A port where nothing listens (bound, read, released).
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) ADD_FAILURE() << "bind";
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// The one-shot subcommands; each must end with `want_exit`.
void RunOneShots(const std::string& what, const Env& env, int want_exit) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"migrate"}, {"status"}, {"status", "--json"}, {"requeue", "--all"}}) {
    Child c(args, env);
    EXPECT_EQ(c.Wait(seconds(30)), want_exit) << what << " " << args[0] << ":\n" << c.Output();
    ExpectNoSecret(what + " " + args[0], c.Output());
  }
}

// Polls `done` every 50 ms while `c` runs, up to `timeout`.
void PollWhileRunning(Child& c, const std::function<bool()>& done, milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (!done() && std::chrono::steady_clock::now() < until && c.Wait(milliseconds(50)) == -1) {
  }
}

// serve until /healthz answers (503: PostgreSQL failed), the relay until it logged a
// PostgreSQL error; then SIGTERM. With a malformed DSN both must exit 2 at once.
void RunDaemons(const std::string& what, const Env& base, bool malformed) {
  for (std::string cmd : {"serve", "relay"}) {
    Env env = base;
    env["PORT"] = std::to_string(ClosedPort());
    Child c({cmd}, env);
    if (malformed) {
      EXPECT_EQ(c.Wait(seconds(10)), 2) << what << " " << cmd << ":\n" << c.Output();
    } else if (cmd == "serve") {
      httplib::Client client("127.0.0.1", std::stoi(env["PORT"]));
      client.set_read_timeout(seconds(10));
      int status = 0;
      PollWhileRunning(
          c,
          [&] {
            auto res = client.Get("/healthz");
            status = res ? res->status : 0;
            return status != 0;
          },
          seconds(20));
      EXPECT_EQ(status, 503) << what << ":\n" << c.Output();
    } else {
      PollWhileRunning(
          c, [&] { return c.Output().find("PostgreSQL") != std::string::npos; }, seconds(20));
      // The error must have been printed, or the grep below checks nothing.
      EXPECT_NE(c.Output().find("PostgreSQL"), std::string::npos) << what << ":\n" << c.Output();
    }
    if (!malformed) {
      c.Terminate();
      EXPECT_NE(c.Wait(seconds(10)), -1) << what << " " << cmd << " ignored SIGTERM";
    }
    ExpectNoSecret(what + " " + cmd, c.Output());
  }
}

class SecretLeakTest : public IntegrationTest {};

TEST_F(SecretLeakTest, MalformedDatabaseUrlsExit2WithoutQuotingThem) {
  for (const std::string& url : std::vector<std::string>{
           WithPassword(kPgPassword),                                // '%zz', '@', blank
           WithPassword(std::string(kPgPasswordEncoded) + "@[::1"),  // bad IPv6 host
           "postgresql://eventlog:" + std::string(kPgPasswordEncoded) + "@[::1/db",
           "host=127.0.0.1 password='" + std::string(kPgPassword),  // unterminated quote
           "  postgresql://eventlog:p@ss w0rd!@127.0.0.1/db"}) {    // leading blank, raw '@'
    Env env = BaseEnv(url);
    RunOneShots("malformed DSN", env, 2);
    RunDaemons("malformed DSN", env, true);
  }
}

TEST_F(SecretLeakTest, WrongPasswordsAndUnreachableServersNeverPrintThem) {
  std::string unreachable = "postgresql://eventlog:" + std::string(kPgPasswordEncoded) +
                            "@127.0.0.1:" + std::to_string(ClosedPort()) + "/eventlog";
  std::string key_value = "host=127.0.0.1 port=" + std::to_string(ClosedPort()) +
                          " user=eventlog dbname=eventlog password='" + kPgPassword + "'";
  for (const auto& [what, url] : std::vector<std::pair<std::string, std::string>>{
           {"wrong password", WithPassword(kPgPasswordEncoded)},
           {"unreachable", unreachable},
           {"key=value unreachable", key_value}}) {
    Env env = BaseEnv(url);
    RunOneShots(what, env, 1);
    RunDaemons(what, env, false);
  }
}

TEST_F(SecretLeakTest, WrongClickHousePasswordNeverPrintsIt) {
  Env env = BaseEnv(Servers().database_url);
  Child migrate({"migrate"}, env);
  EXPECT_EQ(migrate.Wait(seconds(30)), 1) << migrate.Output();
  ExpectNoSecret("migrate", migrate.Output());
  Child relay({"relay"}, env);
  PollWhileRunning(
      relay, [&] { return relay.Output().find("ClickHouse") != std::string::npos; }, seconds(20));
  EXPECT_NE(relay.Output().find("ClickHouse"), std::string::npos) << relay.Output();
  relay.Terminate();
  EXPECT_NE(relay.Wait(seconds(10)), -1);
  ExpectNoSecret("relay", relay.Output());
}

// Credentials written into a CLICKHOUSE_HOSTS entry, in every form: relay, migrate and status
// refuse the setting (exit 2) without echoing them.
TEST_F(SecretLeakTest, CredentialsInClickHouseHostsAreNeverPrinted) {
  const std::string port = std::to_string(Servers().clickhouse.port);
  for (const std::string& hosts :
       std::vector<std::string>{"127.0.0.1:" + port + ",eventlog:kl1ck%zz@127.0.0.1:8124",
                                "eventlog:p%zz@ss w0rd!@127.0.0.1:" + port,
                                "h0use@127.0.0.1:" + port + ",127.0.0.1:8124",
                                "http://eventlog:kl1ck@127.0.0.1:" + port}) {
    Env env = BaseEnv(Servers().database_url);
    env["CLICKHOUSE_HOSTS"] = hosts;
    for (const char* cmd : {"relay", "migrate", "status"}) {
      Child c({cmd}, env);
      EXPECT_EQ(c.Wait(seconds(30)), 2) << cmd << ": " << c.Output();
      EXPECT_NE(c.Output().find("CLICKHOUSE_HOSTS"), std::string::npos) << c.Output();
      ExpectNoSecret(std::string(cmd) + " with CLICKHOUSE_HOSTS=" + "<entry with credentials>",
                     c.Output());
    }
  }
}

}  // namespace
}  // namespace eventlog::testing
