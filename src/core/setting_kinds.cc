#include "core/setting_kinds.h"

#include <algorithm>
#include <charconv>
#include <regex>

#include "core/config_values.h"
#include "core/control_characters.h"

namespace eventlog::settings {
namespace {

using config_values::Invalid;
using config_values::SplitOn;

// Reads an integer variable within [lo, hi] into `out`; unset keeps the default.
template <typename T>
Status ReadInt(const EnvMap& env, const std::string& var, T lo, T hi, T& out) {
  auto it = env.find(var);
  if (it == env.end()) return Status::Ok();
  const std::string& s = it->second;
  T value{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) {
    return Invalid(var, s, "is not an integer");
  }
  if (value < lo || value > hi) {
    return Invalid(var, s, "is out of range " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  out = value;
  return Status::Ok();
}

template <typename T>
Setting IntegerSetting(std::string name, T Config::*member, T lo, T hi, SettingDoc doc,
                       std::string alias) {
  Setting s{.name = name, .alias = alias, .values = std::to_string(lo) + ".." + std::to_string(hi)};
  s.read = [name, alias, member, lo, hi](const EnvMap& env, Config& c) {
    if (!alias.empty()) {
      if (Status st = ReadInt(env, alias, lo, hi, c.*member); !st.ok()) return st;
    }
    return ReadInt(env, name, lo, hi, c.*member);  // the newer name wins where both are set
  };
  s.show = [member](const Config& c) { return std::to_string(c.*member); };
  s.doc = doc;
  return s;
}

bool IsPostgresUrl(const std::string& item) {
  return item.rfind("postgresql://", 0) == 0 || item.rfind("postgres://", 0) == 0;
}

// A blank-separated list for an error message: each URL without its password; an item that is
// no URL may be part of a key=value string with a password: not shown at all.
std::string ShownUrlList(const std::string& value) {
  std::string out;
  for (const std::string& item : SplitOn(value, " \t\r\n")) {
    if (item.empty()) continue;
    out += (out.empty() ? "" : " ") +
           (IsPostgresUrl(item) ? RedactUrl(item) : std::string("(not shown)"));
  }
  return out;
}

}  // namespace

Setting Integer(std::string name, int Config::*member, int lo, int hi, SettingDoc doc,
                std::string alias) {
  return IntegerSetting(std::move(name), member, lo, hi, doc, std::move(alias));
}

Setting Integer64(std::string name, int64_t Config::*member, int64_t lo, int64_t hi,
                  SettingDoc doc) {
  return IntegerSetting(std::move(name), member, lo, hi, doc, "");
}

Status ReadText(const EnvMap& env, const std::string& var, Text rule, std::string& out) {
  auto it = env.find(var);
  if (it == env.end()) return Status::Ok();
  const bool allow_empty = rule == Text::kMaybeEmpty || rule == Text::kHeaderMaybeEmpty;
  if (it->second.empty() && !allow_empty) return Invalid(var, "", "must not be empty");
  static const std::regex kIdent("[A-Za-z_][A-Za-z0-9_]*");
  if (rule == Text::kIdentifier && !std::regex_match(it->second, kIdent)) {
    return Invalid(var, it->second, "is not a plain identifier ([A-Za-z_][A-Za-z0-9_]*)");
  }
  if ((rule == Text::kHeader || rule == Text::kHeaderMaybeEmpty) && HasAsciiControl(it->second)) {
    return {StatusCode::kInvalidArgument,
            var + " contains a control character (CR, LF, tab, ...): not allowed in a header"};
  }
  out = it->second;
  return Status::Ok();
}

Setting TextSetting(std::string name, std::string Config::*member, Text rule, SettingDoc doc) {
  Setting s{.name = name, .values = rule == Text::kIdentifier ? "a plain name" : ""};
  s.read = [name, member, rule](const EnvMap& env, Config& c) {
    return ReadText(env, name, rule, c.*member);
  };
  s.show = [member](const Config& c) { return c.*member; };
  s.doc = doc;
  return s;
}

std::string Joined(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

Status ReadChoice(const EnvMap& env, const std::string& var,
                  const std::vector<std::string>& choices, std::string& out) {
  auto it = env.find(var);
  if (it == env.end()) return Status::Ok();
  for (const auto& c : choices) {
    if (it->second == c) {
      out = c;
      return Status::Ok();
    }
  }
  return Invalid(var, it->second, "is not one of " + Joined(choices, "|"));
}

Setting Choice(std::string name, std::string Config::*member, std::vector<std::string> choices,
               SettingDoc doc) {
  Setting s{.name = name, .values = Joined(choices, "|")};
  s.read = [name, member, choices](const EnvMap& env, Config& c) {
    return ReadChoice(env, name, choices, c.*member);
  };
  s.show = [member](const Config& c) { return c.*member; };
  s.doc = doc;
  return s;
}

Setting Flag(std::string name, bool Config::*member, SettingDoc doc) {
  static const std::vector<std::string> kChoices = {"true", "false", "1", "0"};
  Setting s{.name = name, .values = Joined(kChoices, "|")};
  s.read = [name, member](const EnvMap& env, Config& c) {
    std::string text = c.*member ? "true" : "false";
    Status st = ReadChoice(env, name, kChoices, text);
    c.*member = text == "true" || text == "1";
    return st;
  };
  s.show = [member](const Config& c) { return std::string(c.*member ? "true" : "false"); };
  s.doc = doc;
  return s;
}

Status ReadUrlList(const EnvMap& env, const std::string& var, std::vector<std::string>& out) {
  auto it = env.find(var);
  if (it == env.end()) return Status::Ok();
  const std::string shown = ShownUrlList(it->second);
  std::vector<std::string> urls;
  for (const std::string& url : SplitOn(it->second, " \t\r\n")) {
    if (url.empty()) continue;
    if (!IsPostgresUrl(url)) {
      return Invalid(var, shown,
                     "has item " + std::to_string(urls.size() + 1) +
                         ", which is not a postgresql:// URL (sources are separated by blanks)");
    }
    if (std::find(urls.begin(), urls.end(), url) != urls.end()) {
      return Invalid(var, shown, "names \"" + RedactUrl(url) + "\" twice");
    }
    urls.push_back(url);
  }
  out = std::move(urls);  // empty (blank): as if unset
  return Status::Ok();
}

}  // namespace eventlog::settings
