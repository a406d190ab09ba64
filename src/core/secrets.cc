#include "core/secrets.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <vector>

namespace eventlog {
namespace {

std::mutex& Mutex() {
  static std::mutex mu;
  return mu;
}

std::vector<std::string>& Registered() {  // GUARDED_BY(Mutex()); longest first
  static std::vector<std::string> forms;
  return forms;
}

// Percent-encodes every byte outside RFC 3986's unreserved set and `keep`, with `hex` digits;
// a space becomes `space` ("%20" or "+", as HTML forms write it).
std::string UrlEncode(std::string_view s, const char* hex, std::string_view keep = "",
                      std::string_view space = "") {
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        keep.find(ch) != std::string_view::npos) {
      out.push_back(ch);
    } else if (c == ' ' && !space.empty()) {
      out += space;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// A backslash before each quote and backslash: as libpq's key=value form, JSON and SQL
// string escapes write the secret.
std::string BackslashEscape(std::string_view s) {
  std::string out;
  for (char ch : s) {
    if (ch == '\\' || ch == '\'' || ch == '"') out += '\\';
    out += ch;
  }
  return out;
}

// Every way a secret is commonly spelled in a URL, a header or an error text.
std::vector<std::string> Forms(std::string_view secret) {
  constexpr const char* kUpper = "0123456789ABCDEF";
  constexpr const char* kLower = "0123456789abcdef";
  constexpr std::string_view kComponent = "!*'()";  // JavaScript's encodeURIComponent keeps these
  return {std::string(secret),
          UrlEncode(secret, kUpper),
          UrlEncode(secret, kLower),
          UrlEncode(secret, kUpper, kComponent),
          UrlEncode(secret, kUpper, "", "+"),
          UrlEncode(secret, kLower, "", "+"),
          UrlEncode(secret, kUpper, kComponent, "+"),
          BackslashEscape(secret)};
}

void ReplaceAll(std::string& text, const std::string& from) {
  for (size_t p = text.find(from); p != std::string::npos; p = text.find(from, p + 3)) {
    text.replace(p, from.size(), "***");
  }
}

}  // namespace

void RegisterSecret(std::string_view secret) {
  if (secret.size() < 3) return;
  std::lock_guard lock(Mutex());
  auto& forms = Registered();
  for (std::string& form : Forms(secret)) {
    if (std::find(forms.begin(), forms.end(), form) == forms.end())
      forms.push_back(std::move(form));
  }
  std::sort(forms.begin(), forms.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string ScrubSecrets(std::string_view text) {
  std::string out(text);
  std::lock_guard lock(Mutex());
  for (const std::string& form : Registered()) ReplaceAll(out, form);
  return out;
}

}  // namespace eventlog
