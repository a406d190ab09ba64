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

std::vector<std::string>& Forms() {  // GUARDED_BY(Mutex()); longest first
  static std::vector<std::string> forms;
  return forms;
}

// Percent-encodes every byte outside RFC 3986's unreserved set, with `hex` digits.
std::string UrlEncode(std::string_view s, const char* hex) {
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
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
  auto& forms = Forms();
  for (std::string form : {std::string(secret), UrlEncode(secret, "0123456789ABCDEF"),
                           UrlEncode(secret, "0123456789abcdef")}) {
    if (std::find(forms.begin(), forms.end(), form) == forms.end()) forms.push_back(form);
  }
  std::sort(forms.begin(), forms.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string ScrubSecrets(std::string_view text) {
  std::string out(text);
  std::lock_guard lock(Mutex());
  for (const std::string& form : Forms()) ReplaceAll(out, form);
  return out;
}

}  // namespace eventlog
