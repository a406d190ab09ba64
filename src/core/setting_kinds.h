#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/settings.h"

// The kinds of setting the table is made of (an integer in a range, text, a choice, a flag) and
// the readers that settings of a kind of their own build on.
namespace eventlog::settings {

// What a text setting accepts.
enum class Text {
  kNonEmpty,
  kMaybeEmpty,
  // A ClickHouse identifier (sent inside queries): [A-Za-z_][A-Za-z0-9_]*, "a plain name".
  kIdentifier,
  // Sent in an HTTP header or URL: no control character (a CR or LF would add headers). The
  // error never shows the value (it may be a password).
  kHeader,
  kHeaderMaybeEmpty,
};

// An integer in [lo, hi]; `alias`, when given, is an older name read first.
Setting Integer(std::string name, int Config::*member, int lo, int hi, SettingDoc doc,
                std::string alias = "");
Setting Integer64(std::string name, int64_t Config::*member, int64_t lo, int64_t hi,
                  SettingDoc doc);
Setting TextSetting(std::string name, std::string Config::*member, Text rule, SettingDoc doc);
// One of `choices`, spelled exactly.
Setting Choice(std::string name, std::string Config::*member, std::vector<std::string> choices,
               SettingDoc doc);
// true|false|1|0.
Setting Flag(std::string name, bool Config::*member, SettingDoc doc);

// The readers behind the kinds, for settings of their own; each leaves `out` as it is when
// `var` is unset.
Status ReadText(const EnvMap& env, const std::string& var, Text rule, std::string& out);
Status ReadChoice(const EnvMap& env, const std::string& var,
                  const std::vector<std::string>& choices, std::string& out);
// PostgreSQL URLs separated by blanks (a URL may hold commas: libpq's multi-host form); empty:
// `out` emptied. Errors show the URLs without their passwords.
Status ReadUrlList(const EnvMap& env, const std::string& var, std::vector<std::string>& out);

// `items` with `separator` between them: Joined({"a", "b"}, "|") is "a|b".
std::string Joined(const std::vector<std::string>& items, const char* separator);

}  // namespace eventlog::settings
