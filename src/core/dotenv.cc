// The `.env` reader: KEY=VALUE lines under the process environment (12-factor).
#include <fstream>
#include <regex>
#include <sstream>

#include "core/config.h"

extern char** environ;

namespace eventlog {
namespace {

std::string Trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// A value: 'quoted' or "quoted" (taken as is, `#` included), or bare up to a comment: a `#`
// at the start or after a blank (space or tab). So `abc#1` keeps its `#`, `abc #1` is `abc`,
// and `"abc #1"` is `abc #1` (docker compose reads .env files the same way).
std::optional<std::string> ParseDotEnvValue(const std::string& raw) {
  if (!raw.empty() && (raw.front() == '"' || raw.front() == '\'')) {
    auto close = raw.find(raw.front(), 1);
    if (close == std::string::npos) return std::nullopt;
    std::string rest = Trim(raw.substr(close + 1));
    if (!rest.empty() && rest.front() != '#') return std::nullopt;
    return raw.substr(1, close - 1);
  }
  if (!raw.empty() && raw.front() == '#') return "";
  for (size_t i = 1; i < raw.size(); ++i) {
    if (raw[i] == '#' && (raw[i - 1] == ' ' || raw[i - 1] == '\t')) {
      return Trim(raw.substr(0, i));
    }
  }
  return raw;
}

Status LineError(int line_no, const std::string& what) {
  return {StatusCode::kInvalidArgument, ".env line " + std::to_string(line_no) + " " + what};
}

}  // namespace

Result<EnvMap> ParseDotEnv(const std::string& text, std::vector<std::string>* warnings) {
  EnvMap out;
  std::map<std::string, int> first_line;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  static const std::regex kKey("[A-Za-z_][A-Za-z0-9_]*");
  while (std::getline(in, line)) {
    ++line_no;
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line = Trim(line.substr(7));
    auto eq = line.find('=');
    std::string key = eq == std::string::npos ? line : Trim(line.substr(0, eq));
    if (eq == std::string::npos || !std::regex_match(key, kKey)) {
      return LineError(line_no, "is not KEY=VALUE");
    }
    auto value = ParseDotEnvValue(Trim(line.substr(eq + 1)));
    if (!value) return LineError(line_no, "has an unterminated quote");
    auto [it, fresh] = first_line.emplace(key, line_no);
    if (!fresh && warnings != nullptr) {
      warnings->push_back(".env line " + std::to_string(line_no) + " sets " + key +
                          " again (first on line " + std::to_string(it->second) +
                          "); the last value wins");
    }
    out[key] = *value;
  }
  return out;
}

Result<EnvMap> ReadEnvironment(const std::string& dotenv_path, bool required,
                               std::vector<std::string>* warnings) {
  EnvMap env;
  std::ifstream file(dotenv_path);
  if (!file && required) {
    // Running on defaults instead (a well-known local password among them) would hide a typo.
    return Status(StatusCode::kInvalidArgument,
                  "settings file " + dotenv_path + " (--env-file) cannot be read");
  }
  if (file) {
    std::stringstream text;
    text << file.rdbuf();
    auto parsed = ParseDotEnv(text.str(), warnings);
    if (!parsed.ok()) {
      return Status(StatusCode::kInvalidArgument, dotenv_path + ": " + parsed.status().message());
    }
    env = std::move(parsed.value());
  }
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

}  // namespace eventlog
