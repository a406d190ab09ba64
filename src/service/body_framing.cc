#include "service/body_framing.h"

#include <strings.h>

#include <algorithm>
#include <cctype>

namespace eventlog {
namespace {

bool IsDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

std::string LowerTrimmed(std::string s) {
  s.erase(0, s.find_first_not_of(" \t"));
  s.erase(s.find_last_not_of(" \t") + 1);
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::optional<Refusal> CheckContentLength(const httplib::Request& req, size_t max_body_bytes) {
  if (req.get_header_value_count("Content-Length") > 1) {
    return Refusal{400, "more than one Content-Length header"};
  }
  std::string length = LowerTrimmed(req.get_header_value("Content-Length"));
  // 20 digits would overflow; anything that long is over the limit anyway.
  if (!IsDigits(length)) return Refusal{400, "Content-Length is not a number"};
  if (length.size() > 18 || std::stoull(length) > max_body_bytes) {
    return Refusal{413, "request body over " + std::to_string(max_body_bytes) + " bytes"};
  }
  return std::nullopt;
}

}  // namespace

std::optional<Refusal> CheckBodyFraming(const httplib::Request& req, size_t max_body_bytes) {
  bool chunked_header = req.has_header("Transfer-Encoding");
  bool length_header = req.has_header("Content-Length");
  std::string encoding = LowerTrimmed(req.get_header_value("Content-Encoding"));
  if (req.get_header_value_count("Content-Encoding") > 1 ||
      (!encoding.empty() && encoding != "identity")) {
    return Refusal{415, "Content-Encoding is not supported: send the body uncompressed"};
  }
  if (req.is_multipart_form_data()) {
    return Refusal{415, "multipart bodies are not supported: send application/json"};
  }
  if (chunked_header) {
    // Both headers at once is how requests are smuggled past proxies: refuse it.
    if (length_header) return Refusal{400, "both Content-Length and Transfer-Encoding"};
    if (req.get_header_value_count("Transfer-Encoding") > 1 ||
        strcasecmp(req.get_header_value("Transfer-Encoding").c_str(), "chunked") != 0) {
      // httplib reads a body as chunked only on this exact value (any case).
      return Refusal{501, "only chunked Transfer-Encoding is supported"};
    }
    return std::nullopt;
  }
  if (!length_header) {
    return Refusal{411, "a body needs Content-Length or chunked Transfer-Encoding"};
  }
  return CheckContentLength(req, max_body_bytes);
}

bool DeclaresBody(const httplib::Request& req) {
  if (req.has_header("Transfer-Encoding")) return true;
  if (!req.has_header("Content-Length")) return false;
  return LowerTrimmed(req.get_header_value("Content-Length")) != "0";
}

}  // namespace eventlog
