#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "eventlog/status.h"

namespace eventlog {

// `data` as a gzip stream (zlib, fast level): ClickHouse takes INSERT bodies sent with
// `Content-Encoding: gzip`. Worth it where the network, not the CPU, is the limit.
Result<std::string> Gzip(std::string_view data);

// The same for a body that arrives in pieces (a streamed INSERT), compressed into whatever
// buffer the caller offers as it goes (libcurl's upload buffer): nothing is held but zlib's
// window. Not thread-safe.
class GzipStream {
 public:
  GzipStream();
  ~GzipStream();
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;

  // Whether the last piece fed is consumed (and Finish not called): feed the next, or Finish.
  bool NeedsInput() const;
  // `input` must stay valid until NeedsInput() is true again.
  void Feed(std::string_view input);
  // No more input: what is left is flushed, then the gzip trailer.
  void Finish();
  // Compressed bytes into `buffer` (at most `capacity`); how many. 0 when it needs input.
  Result<size_t> Drain(char* buffer, size_t capacity);
  // The whole gzip stream has been drained.
  bool done() const { return done_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool finishing_ = false;
  bool done_ = false;
};

}  // namespace eventlog
