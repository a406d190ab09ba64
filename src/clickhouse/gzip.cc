#include "clickhouse/gzip.h"

#include <zlib.h>

namespace eventlog {

Result<std::string> Gzip(std::string_view data) {
  z_stream z{};
  constexpr int kGzipWindowBits = 15 + 16;  // 16: a gzip header and trailer, not raw zlib
  if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status(StatusCode::kInternal, "zlib: deflateInit2 failed");
  }
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return Status(StatusCode::kInternal, "zlib: deflate did not finish");
  return out;
}

}  // namespace eventlog
