// The table of settings as text: the footer of `eventlog --help` and the README's table.
#include <sstream>

#include "core/config_values.h"
#include "core/settings.h"

namespace eventlog {
namespace {

// A default as the README shows it: `value`, or "empty", then the note.
std::string MarkdownDefault(const Setting& s, const Config& defaults) {
  const std::string value = s.show(defaults);
  std::string out = value.empty() ? "empty" : "`" + value + "`";
  if (!s.doc.default_note.empty()) out += " " + std::string(s.doc.default_note);
  return out;
}

// Choices and ranges as code ("http|https" -> "`http`, `https`"; "1..65535" -> "`1..65535`"),
// words as they are.
std::string MarkdownValues(const std::string& values) {
  if (values.find('|') == std::string::npos && values.find("..") == std::string::npos) {
    return values;
  }
  std::string out;
  for (const std::string& v : config_values::SplitOn(values, "|")) {
    out += (out.empty() ? "`" : ", `") + v + "`";
  }
  return out;
}

}  // namespace

// "Environment:" starts help2man's ENVIRONMENT section of the man page; each entry is a tag
// line and a line indented by 20 or more, which help2man makes a tagged paragraph.
std::string SettingsHelp() {
  const Config defaults;
  std::ostringstream out;
  out << "Environment:\n"
         "Every setting is an environment variable, shown here as NAME=default;\n"
         "`eventlog settings` prints the table with what each means.\n\n";
  for (const Setting& s : Settings()) {
    out << "  " << s.name << "=" << s.show(defaults) << "\n                        "
        << s.doc.summary;
    if (!s.values.empty()) out << " [" << s.values << "]";
    out << "\n";
  }
  return out.str();
}

std::string SettingsMarkdown() {
  const Config defaults;
  std::ostringstream out;
  out << "| variable | default | values | meaning |\n| --- | --- | --- | --- |\n";
  for (const Setting& s : Settings()) {
    out << "| `" << s.name << "` | " << MarkdownDefault(s, defaults) << " | "
        << MarkdownValues(s.values) << " | " << s.doc.meaning << " |\n";
  }
  return out.str();
}

}  // namespace eventlog
