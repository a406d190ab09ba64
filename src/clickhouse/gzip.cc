#include "clickhouse/gzip.h"

#include <zlib.h>

namespace eventlog {

namespace {
constexpr int kGzipWindowBits = 15 + 16;  // 16: a gzip header and trailer, not raw zlib
}  // namespace

Result<std::string> Gzip(std::string_view data) {
  z_stream z{};
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

struct GzipStream::Impl {
  z_stream z{};
  bool ok = false;
};

GzipStream::GzipStream() : impl_(std::make_unique<Impl>()) {
  impl_->ok = deflateInit2(&impl_->z, Z_BEST_SPEED, Z_DEFLATED, kGzipWindowBits, 8,
                           Z_DEFAULT_STRATEGY) == Z_OK;
}

GzipStream::~GzipStream() {
  if (impl_->ok) deflateEnd(&impl_->z);
}

bool GzipStream::NeedsInput() const { return !finishing_ && impl_->z.avail_in == 0; }

void GzipStream::Feed(std::string_view input) {
  impl_->z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  impl_->z.avail_in = static_cast<uInt>(input.size());
}

void GzipStream::Finish() { finishing_ = true; }

Result<size_t> GzipStream::Drain(char* buffer, size_t capacity) {
  if (!impl_->ok) return Status(StatusCode::kInternal, "zlib: deflateInit2 failed");
  if (done_) return size_t{0};
  z_stream& z = impl_->z;
  z.next_out = reinterpret_cast<Bytef*>(buffer);
  z.avail_out = static_cast<uInt>(capacity);
  const int rc = deflate(&z, finishing_ ? Z_FINISH : Z_NO_FLUSH);
  if (rc == Z_STREAM_END) {
    done_ = true;
  } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
    return Status(StatusCode::kInternal, "zlib: deflate failed");
  }
  return capacity - z.avail_out;
}

}  // namespace eventlog
