// `make deb` (issue 9, item 5): the Debian package CPack builds from this build, unpacked into a
// scratch root with `dpkg -x`: its files, its control data, the program it holds (--version),
// the example settings, and the systemd units (their keys, and `systemd-analyze verify` where
// Debian has it). Needs no server; it runs cpack, so it takes a few seconds.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <vector>

#include "tests/integration/test_env.h"

namespace eventlog::testing {
namespace {

namespace fs = std::filesystem;

const std::string kUnitDir = "/lib/systemd/system/";
const std::string kServeUnit = "eventlog-serve.service";
const std::string kRelayUnit = "eventlog-relay@.service";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The .deb cpack wrote into `out_dir`, or "" when there is not exactly one.
std::string OnlyDeb(const std::string& out_dir) {
  std::vector<std::string> debs;
  for (const auto& entry : fs::directory_iterator(out_dir)) {
    if (entry.path().extension() == ".deb") debs.push_back(entry.path());
  }
  return debs.size() == 1 ? debs[0] : "";
}

void ExpectFiles(const std::string& root) {
  const std::vector<std::string> files = {"/usr/bin/eventlog",
                                          "/etc/eventlog/eventlog.env",
                                          kUnitDir + kServeUnit,
                                          kUnitDir + kRelayUnit,
                                          "/usr/share/man/man1/eventlog.1.gz",
                                          "/usr/lib/pkgconfig/eventlog-outbox.pc",
                                          "/usr/lib/cmake/eventlog/eventlogConfig.cmake",
                                          "/usr/lib/libeventlog_outbox.a",
                                          "/usr/include/eventlog/event.h",
                                          "/usr/include/eventlog/outbox_writer.h",
                                          "/usr/include/eventlog/status.h"};
  for (const std::string& file : files) EXPECT_TRUE(fs::is_regular_file(root + file)) << file;
  EXPECT_FALSE(fs::exists(root + "/usr/include/eventlog/relay.h")) << "only the library's API";
  EXPECT_EQ(fs::status(root + "/etc/eventlog/eventlog.env").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write)
      << "the settings hold passwords: root only";
  EXPECT_NE(fs::status(root + "/usr/bin/eventlog").permissions() & fs::perms::others_exec,
            fs::perms::none);
}

// The program in the package prints the package's version and the same commit as the build.
void ExpectVersion(const std::string& root, const std::string& deb) {
  const CliRun version = RunCommand(root + "/usr/bin/eventlog --version");
  ASSERT_EQ(version.exit_code, 0) << version.output;
  const CliRun package_version = RunCommand("dpkg-deb -f " + deb + " Version");
  ASSERT_EQ(package_version.exit_code, 0) << package_version.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_match(
      version.out, m, std::regex(R"(eventlog (\d+\.\d+\.\d+) \(git ([0-9a-f]{7,}|unknown)\)\n)")))
      << version.out;
  EXPECT_EQ(m[1].str() + "\n", package_version.out);
  EXPECT_EQ(version.out, RunCommand(std::string(EVENTLOG_BIN) + " --version").out);
  if (fs::exists(EVENTLOG_SOURCE_DIR "/.git")) {
    EXPECT_NE(m[2].str(), "unknown") << "built from a git checkout";
  }
}

void ExpectControl(const std::string& deb, const std::string& scratch) {
  const CliRun info = RunCommand("dpkg-deb -I " + deb);
  ASSERT_EQ(info.exit_code, 0) << info.output;
  EXPECT_TRUE(Contains(info.out, "Package: eventlog\n")) << info.out;
  EXPECT_TRUE(Contains(info.out, "Maintainer: eventlog team\n")) << info.out;
  // dpkg-shlibdeps found the shared libraries the program links.
  std::smatch depends;
  ASSERT_TRUE(std::regex_search(info.out, depends, std::regex(R"(\n Depends: ([^\n]*))")))
      << info.out;
  for (const char* library : {"libc6", "libstdc++6", "libpq5", "libpqxx-6.4", "libcurl4"}) {
    EXPECT_TRUE(Contains(depends[1].str(), library)) << library << " in " << depends[1];
  }
  EXPECT_TRUE(Contains(info.out, "Recommends: postgresql-client")) << info.out;
  const CliRun conffiles = RunCommand("dpkg-deb -I " + deb + " conffiles");
  EXPECT_EQ(conffiles.out, "/etc/eventlog/eventlog.env\n") << conffiles.output;
  // The maintainer scripts are at least valid shell.
  const CliRun scripts =
      RunCommand("dpkg-deb -e " + deb + " " + scratch + "/DEBIAN && for s in " +
                 "postinst prerm postrm; do sh -n " + scratch + "/DEBIAN/$s || exit 1; done");
  EXPECT_EQ(scripts.exit_code, 0) << scripts.output;
}

void ExpectManPage(const std::string& root) {
  const CliRun page = RunCommand("zcat " + root + "/usr/share/man/man1/eventlog.1.gz");
  ASSERT_EQ(page.exit_code, 0) << page.output;
  EXPECT_TRUE(Contains(page.out, ".TH EVENTLOG \"1\"")) << page.out;
  // Every subcommand's options, not only the top level's help.
  for (const char* part :
       {"\\-\\-env\\-file", "\\-\\-version", ".SH COMMANDS", "eventlog relay",
        "eventlog dead\\-letters purge", "\\-\\-older\\-than\\-days", ".SH FILES",
        // The settings table's list, from the footer of --help.
        ".SH ENVIRONMENT", "EVENTLOG_BATCH_MAX_ROWS=200000"}) {
    EXPECT_TRUE(Contains(page.out, part)) << part;
  }
}

// The example settings are valid under eventlog's own rules (a bad value exits 2) and hold
// placeholders, not the loopback servers' passwords.
void ExpectExampleSettings(const std::string& root) {
  const std::string env_file = root + "/etc/eventlog/eventlog.env";
  const std::string text = ReadFile(env_file);
  EXPECT_TRUE(Contains(text, "CLICKHOUSE_PASSWORD=change-me\n")) << text;
  EXPECT_TRUE(Contains(text, "postgresql://eventlog:change-me@")) << text;
  EXPECT_FALSE(Contains(text, "PASSWORD=eventlog")) << text;
  const CliRun status = RunCommand("cd /tmp && env -i PATH=/usr/bin:/bin " + root +
                                   "/usr/bin/eventlog --env-file " + env_file + " status");
  EXPECT_NE(status.exit_code, 2) << status.output;
  EXPECT_FALSE(Contains(status.output, "invalid configuration")) << status.output;
}

// A unit file's settings: "Section.Key" -> its values in order.
using UnitKeys = std::map<std::string, std::vector<std::string>>;

UnitKeys ParseUnit(const std::string& path) {
  UnitKeys keys;
  std::ifstream in(path);
  std::string line;
  std::string section;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = line.substr(1, line.size() - 2);
      continue;
    }
    const size_t eq = line.find('=');
    if (eq != std::string::npos)
      keys[section + "." + line.substr(0, eq)].push_back(line.substr(eq + 1));
  }
  return keys;
}

std::string One(const UnitKeys& keys, const std::string& key) {
  auto it = keys.find(key);
  return it == keys.end() || it->second.size() != 1 ? "<not set once>" : it->second[0];
}

void ExpectUnitKeys(const std::string& root, const std::string& unit, const std::string& command) {
  SCOPED_TRACE(unit);
  const UnitKeys keys = ParseUnit(root + kUnitDir + unit);
  EXPECT_EQ(One(keys, "Service.ExecStart"),
            "/usr/bin/eventlog --env-file ${CREDENTIALS_DIRECTORY}/eventlog.env " + command);
  EXPECT_EQ(One(keys, "Service.LoadCredential"), "eventlog.env:/etc/eventlog/eventlog.env");
  for (const auto& [key, value] : std::map<std::string, std::string>{{"DynamicUser", "yes"},
                                                                     {"Restart", "on-failure"},
                                                                     {"KillSignal", "SIGTERM"},
                                                                     {"NoNewPrivileges", "yes"},
                                                                     {"ProtectSystem", "strict"},
                                                                     {"ProtectHome", "yes"},
                                                                     {"PrivateTmp", "yes"}}) {
    EXPECT_EQ(One(keys, "Service." + key), value) << key;
  }
  // systemd's SIGKILL must not come before EVENTLOG_SHUTDOWN_TIMEOUT_MS (10 s by default).
  std::smatch stop;
  const std::string timeout = One(keys, "Service.TimeoutStopSec");
  ASSERT_TRUE(std::regex_match(timeout, stop, std::regex(R"((\d+)s?)"))) << timeout;
  EXPECT_GT(std::stoi(stop[1]), 10);
  EXPECT_EQ(One(keys, "Install.WantedBy"), "multi-user.target");
}

// `systemd-analyze verify` on the packaged units, with ExecStart pointed at the unpacked
// program (verify checks it is executable) and the unpacked man page on MANPATH (verify checks
// Documentation=). It exits 0 even on unknown keys, so any output fails the check. A unit known
// to be good first tells whether the tool works here at all (it needs no running systemd).
void VerifyUnitsWithSystemd(const std::string& root, const std::string& scratch) {
  if (RunCommand("command -v systemd-analyze").exit_code != 0) {
    std::cout << "[ PACKAGE  ] systemd-analyze not installed: unit files checked by their keys "
                 "only\n";
    return;
  }
  const std::string dir = scratch + "/verify";
  fs::create_directories(dir);
  std::ofstream(dir + "/eventlog-control.service") << "[Service]\nExecStart=/bin/true\n";
  const CliRun control = RunCommand("systemd-analyze verify " + dir + "/eventlog-control.service");
  if (control.exit_code != 0 || !control.output.empty()) {
    std::cout << "[ PACKAGE  ] systemd-analyze verify does not work here (" << control.output
              << "): unit files checked by their keys only\n";
    return;
  }
  for (const std::string& unit : {kServeUnit, kRelayUnit}) {
    std::string text = ReadFile(root + kUnitDir + unit);
    text = std::regex_replace(text, std::regex("ExecStart=/usr/bin/eventlog"),
                              "ExecStart=" + root + "/usr/bin/eventlog");
    std::ofstream(dir + "/" + unit) << text;
    const CliRun verify = RunCommand("MANPATH=" + root + "/usr/share/man systemd-analyze verify '" +
                                     dir + "/" + unit + "'");
    EXPECT_EQ(verify.exit_code, 0) << unit << ": " << verify.output;
    EXPECT_EQ(verify.output, "") << unit;
  }
}

TEST(PackageTest, DebHoldsTheProgramLibraryManPageSettingsAndUnitsThatCheckOut) {
  const std::string scratch = std::string(EVENTLOG_BUILD_DIR) + "/package-test";
  fs::remove_all(scratch);
  const std::string root = scratch + "/root";
  // -B: a directory of its own, so `make deb`'s package in the build dir stays as it was.
  const CliRun cpack =
      RunCommand("cd " EVENTLOG_BUILD_DIR " && cpack -G DEB -B " + scratch + "/out");
  ASSERT_EQ(cpack.exit_code, 0) << cpack.output;
  const std::string deb = OnlyDeb(scratch + "/out");
  ASSERT_NE(deb, "") << "one .deb in " << scratch << "/out";
  const CliRun unpack = RunCommand("dpkg -x " + deb + " " + root);
  ASSERT_EQ(unpack.exit_code, 0) << unpack.output;

  ExpectFiles(root);
  ExpectVersion(root, deb);
  ExpectControl(deb, scratch);
  ExpectManPage(root);
  ExpectExampleSettings(root);
  ExpectUnitKeys(root, kServeUnit, "serve");
  ExpectUnitKeys(root, kRelayUnit, "relay");
  EXPECT_EQ(One(ParseUnit(root + kUnitDir + kRelayUnit), "Service.EnvironmentFile"),
            "-/etc/eventlog/relay-%i.env")
      << "a relay instance's own settings, e.g. its EVENTLOG_METRICS_PORT";
  VerifyUnitsWithSystemd(root, scratch);
}

}  // namespace
}  // namespace eventlog::testing
