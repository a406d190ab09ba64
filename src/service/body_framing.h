#pragma once

#include <httplib.h>

#include <cstddef>
#include <optional>
#include <string>

namespace eventlog {

// Why a request body is refused before a byte of it is read.
struct Refusal {
  int status = 400;
  std::string message;
};

// Checks the headers of a request whose body we are about to read: it must be framed by one
// Content-Length up to `max_body_bytes` or by chunked Transfer-Encoding (counted as it arrives),
// and must not be compressed (a small gzip body can inflate to gigabytes). nullopt when fine;
// else 400 (bad or ambiguous framing), 411 (no length), 413 (too long), 415 (compressed or
// multipart), 501 (another transfer coding).
std::optional<Refusal> CheckBodyFraming(const httplib::Request& req, size_t max_body_bytes);

// True when the request announces a body: a non-zero Content-Length or a Transfer-Encoding.
bool DeclaresBody(const httplib::Request& req);

}  // namespace eventlog
