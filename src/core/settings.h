#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "eventlog/status.h"

// The one table of settings: each environment variable is declared once, with the Config member
// it sets, what it accepts and its documentation. LoadConfig reads the environment through it,
// `eventlog --help` lists it and the README's Configuration table is generated from it (a unit
// test fails when the README differs).
namespace eventlog {

// What a setting says of itself, for people.
struct SettingDoc {
  std::string_view summary{};       // one line of plain text, for --help
  std::string_view meaning{};       // markdown, the README table's "meaning"
  std::string_view default_note{};  // markdown after the default, e.g. "(64 MiB)"; may be empty
};

struct Setting {
  std::string name{};   // the environment variable
  std::string alias{};  // an older name still read (the newer one wins); empty: none
  // Reads the variable from `env` into `config`; unset leaves `config` as it is. Settings are
  // read in table order, so a reader may use what the settings above it set. An invalid value
  // is a kInvalidArgument naming the variable and the value (never a secret's).
  std::function<Status(const EnvMap& env, Config& config)> read{};
  // The member as the variable would spell it: reading it back gives the same Config.
  std::function<std::string(const Config& config)> show{};
  // What the variable accepts, plain text: "1..65535", "http|https"; empty: text.
  std::string values{};
  SettingDoc doc{};
};

// Every setting, in the order they are read and documented. Built once; thread-safe.
const std::vector<Setting>& Settings();

// The footer of `eventlog --help`: each variable with its default, values and summary.
std::string SettingsHelp();

// The README's Configuration table (markdown, one row per setting, ending in a newline).
std::string SettingsMarkdown();

}  // namespace eventlog
