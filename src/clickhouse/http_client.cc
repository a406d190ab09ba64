#include "clickhouse/http_client.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <mutex>

#include "clickhouse/error_classifier.h"
#include "clickhouse/gzip.h"
#include "core/control_characters.h"
#include "core/secrets.h"
#include "observe/logger.h"

namespace eventlog {
namespace {

// libcurl's upload buffer for a streamed body: each fill is one HTTP chunk.
constexpr long kStreamBufferBytes = 512L << 10;

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The answer, read up to a cap: a server (or anything in between) cannot make us buffer
// without limit.
struct Sink {
  std::string* out;
  size_t cap;
  bool exceeded = false;
};

size_t AppendBody(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  if (sink->out->size() + size * n > sink->cap) {
    sink->exceeded = true;
    return 0;  // fails the transfer with CURLE_WRITE_ERROR
  }
  sink->out->append(data, size * n);
  return size * n;
}

// A streamed body (ClickHouseRequest::stream), handed to libcurl as it asks for more.
struct StreamBody {
  RowStream* stream = nullptr;
  std::string_view pending;  // the rest of the stream's last piece
  Status failure = Status::Ok();
  bool done = false;
  std::unique_ptr<GzipStream> gzip;  // compress_inserts
};

// Ends a body whose stream failed: whatever came before (even a row cut in two), the server
// meets a line it cannot parse, refuses the INSERT, and stores nothing of it.
constexpr std::string_view kAbortedBodyLine = "\n\\eventlog: body aborted, refuse this INSERT\n";

// The stream's next piece into body->pending (its failure: the aborting line); false at the end.
bool NextPiece(StreamBody* body) {
  if (body->done) return false;
  auto next = body->stream->Next();
  if (!next.ok()) {
    body->failure = next.status();
    body->done = true;
    body->pending = kAbortedBodyLine;
    return true;
  }
  if (next->empty()) {
    body->done = true;
    return false;
  }
  body->pending = *next;
  return true;
}

// libcurl's read callback for a compressed streamed body.
size_t ReadGzipStream(char* buffer, size_t capacity, StreamBody* body) {
  GzipStream& gz = *body->gzip;
  size_t filled = 0;
  while (filled < capacity && !gz.done()) {
    if (gz.NeedsInput()) {
      if (NextPiece(body)) {
        gz.Feed(body->pending);
        body->pending = {};
      } else {
        gz.Finish();
      }
    }
    auto n = gz.Drain(buffer + filled, capacity - filled);
    if (!n.ok()) {
      body->failure = n.status();
      return CURL_READFUNC_ABORT;
    }
    filled += *n;
  }
  return filled;
}

size_t ReadStream(char* buffer, size_t size, size_t n, void* user) {
  auto* body = static_cast<StreamBody*>(user);
  const size_t capacity = size * n;
  if (body->gzip) return ReadGzipStream(buffer, capacity, body);
  size_t filled = 0;
  while (filled < capacity) {
    if (body->pending.empty() && !NextPiece(body)) break;
    const size_t k = std::min(capacity - filled, body->pending.size());
    std::memcpy(buffer + filled, body->pending.data(), k);
    body->pending.remove_prefix(k);
    filled += k;
  }
  return filled;
}

// An INSERT's connection ends in a RST, never a FIN, whenever it closes (a transfer aborted or
// timed out, the process killed mid-body): ClickHouse (18.16 at least) reads a FIN in the
// middle of a body, chunked or not, as the body's end and stores the rows before it, the last
// one cut short if the FIN fell in its last field. A reset fails the INSERT instead. After a
// complete answer nothing is left to send, so the reset loses nothing.
int ResetOnClose(void* /*clientp*/, curl_socket_t fd, curlsocktype /*purpose*/) {
  linger hard{1, 0};
  return setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard) == 0 ? CURL_SOCKOPT_OK
                                                                        : CURL_SOCKOPT_ERROR;
}

struct Headers {
  int exception_code = 0;
  int64_t written_rows = -1;
};

// The value of header `name` (lower case, with the colon) in `line`, if it is that header.
bool HeaderValue(std::string_view line, std::string_view name, std::string_view& value) {
  if (line.size() <= name.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  }
  value = line.substr(name.size());
  return true;
}

size_t ReadHeader(char* data, size_t size, size_t n, void* out) {
  auto* headers = static_cast<Headers*>(out);
  std::string_view line(data, size * n);
  std::string_view value;
  if (HeaderValue(line, "x-clickhouse-exception-code:", value)) {
    headers->exception_code = std::atoi(std::string(value).c_str());
  } else if (HeaderValue(line, "x-clickhouse-summary:", value)) {
    headers->written_rows = ParseSummaryWrittenRows(value);
  }
  return size * n;
}

// Runs the transfer on the multi interface, polling `abort` every 50 ms: a blocked request
// (e.g. waiting for a slow server's answer) can be abandoned at once, which the progress
// callback (called about once a second when idle) cannot promise.
CURLcode PerformAbortable(CURLM* multi, CURL* easy, const std::atomic<bool>* abort) {
  curl_multi_add_handle(multi, easy);
  CURLcode result = CURLE_OK;
  for (int running = 1; running > 0;) {
    if (curl_multi_perform(multi, &running) != CURLM_OK) {
      result = CURLE_SEND_ERROR;
      break;
    }
    if (running == 0) break;
    if (abort != nullptr && abort->load()) {
      result = CURLE_ABORTED_BY_CALLBACK;
      break;
    }
    curl_multi_poll(multi, nullptr, 0, 50, nullptr);
  }
  int pending = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &pending)) {
    if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy && result == CURLE_OK) {
      result = msg->data.result;
    }
  }
  curl_multi_remove_handle(multi, easy);
  return result;
}

std::string Escape(CURL* curl, const std::string& s) {
  char* e = curl_easy_escape(curl, s.data(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

// An IPv6 literal goes into a URL in brackets: http://[::1]:8123/.
std::string UrlHost(const std::string& host) {
  if (host.find(':') != std::string::npos && !host.starts_with("[")) return "[" + host + "]";
  return host;
}

void WarnOnce(const ClickHouseOptions& options) {
  static std::once_flag once;
  std::call_once(once, [&] {
    std::string warning = ClickHouseTransportWarning(options);
    if (!warning.empty()) log::Warn("eventlog.clickhouse", warning, {{"host", options.host}});
  });
}

}  // namespace

int64_t ParseSummaryWrittenRows(std::string_view summary) {
  constexpr std::string_view kKey = "\"written_rows\":\"";  // {"read_rows":"0","written_rows":"3"}
  auto p = summary.find(kKey);
  if (p == std::string_view::npos) return -1;
  int64_t n = -1;
  p += kKey.size();
  auto [end, ec] = std::from_chars(summary.data() + p, summary.data() + summary.size(), n);
  return ec == std::errc() ? n : -1;
}

std::string ClickHouseTransportWarning(const ClickHouseOptions& options) {
  if (!options.proxy.empty()) {
    return "CLICKHOUSE_PROXY is set: the proxy sees every request" +
           std::string(options.protocol == "http" ? " and the password" : "") +
           ", and a proxy that buffers or repeats requests weakens the query_id fence";
  }
  if (options.protocol == "http" && !IsLoopbackHost(options.host)) {
    return "CLICKHOUSE_PROTOCOL=http to a host that is not loopback: the password and the "
           "events cross the network in clear; use https";
  }
  return {};
}

struct ClickHouseClient::Impl {
  CURLM* multi = nullptr;  // owns the connection cache: the keep-alive connection lives here
  CURL* curl = nullptr;
  curl_slist* headers = nullptr;
  curl_slist* gzip_headers = nullptr;          // the same plus Content-Encoding: gzip
  curl_slist* chunked_headers = nullptr;       // the same plus Transfer-Encoding: chunked
  curl_slist* chunked_gzip_headers = nullptr;  // and Content-Encoding: gzip
  Status invalid;                              // set when the options cannot be sent safely
};

bool NeverReachedServer(const Status& s) { return s.cause() == FailureCause::kNeverSent; }

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host.starts_with("127.") || host == "::1" || host == "[::1]";
}

ClickHouseClient::ClickHouseClient(ClickHouseOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  GlobalInitOnce();
  RegisterSecret(options_.password);
  WarnOnce(options_);
  impl_->multi = curl_multi_init();
  impl_->curl = curl_easy_init();
  // A CR or LF in a header value would let it add headers of its own (config refuses these
  // already; this guards other callers).
  if (HasAsciiControl(options_.user) || HasAsciiControl(options_.password) ||
      HasAsciiControl(options_.host) || HasAsciiControl(options_.proxy)) {
    impl_->invalid =
        Status(StatusCode::kInvalidArgument,
               "ClickHouse user, password, host or proxy contains a control character");
  }
  impl_->headers =
      curl_slist_append(impl_->headers, ("X-ClickHouse-User: " + options_.user).c_str());
  impl_->headers =
      curl_slist_append(impl_->headers, ("X-ClickHouse-Key: " + options_.password).c_str());
  impl_->headers = curl_slist_append(impl_->headers, "Content-Type: text/plain; charset=UTF-8");
  impl_->headers = curl_slist_append(impl_->headers, "Expect:");  // no 100-continue round trip
  for (curl_slist* h = impl_->headers; h != nullptr; h = h->next) {
    impl_->gzip_headers = curl_slist_append(impl_->gzip_headers, h->data);
    impl_->chunked_headers = curl_slist_append(impl_->chunked_headers, h->data);
  }
  impl_->chunked_headers = curl_slist_append(impl_->chunked_headers, "Transfer-Encoding: chunked");
  for (curl_slist* h = impl_->chunked_headers; h != nullptr; h = h->next) {
    impl_->chunked_gzip_headers = curl_slist_append(impl_->chunked_gzip_headers, h->data);
  }
  impl_->chunked_gzip_headers =
      curl_slist_append(impl_->chunked_gzip_headers, "Content-Encoding: gzip");
  impl_->gzip_headers = curl_slist_append(impl_->gzip_headers, "Content-Encoding: gzip");
}

ClickHouseClient::~ClickHouseClient() {
  curl_slist_free_all(impl_->headers);
  curl_slist_free_all(impl_->gzip_headers);
  curl_slist_free_all(impl_->chunked_headers);
  curl_slist_free_all(impl_->chunked_gzip_headers);
  curl_easy_cleanup(impl_->curl);
  curl_multi_cleanup(impl_->multi);
}

Result<std::string> ClickHouseClient::Execute(const std::string& query, const std::string& body,
                                              const std::map<std::string, std::string>& settings) {
  auto r = Send({query, body, settings});
  if (!r.ok()) return r.status();
  return std::move(r.value().body);
}

Result<ClickHouseResponse> ClickHouseClient::Send(const ClickHouseRequest& request) {
  if (!impl_->invalid.ok()) return impl_->invalid;
  CURL* curl = impl_->curl;
  curl_easy_reset(curl);  // options only: connections stay in the multi handle's cache
  std::string url = options_.protocol + "://" + UrlHost(options_.host) + ":" +
                    std::to_string(options_.port) + "/?database=" + Escape(curl, options_.database);
  for (const auto& [k, v] : request.settings) url += "&" + Escape(curl, k) + "=" + Escape(curl, v);
  const std::string* payload = &request.query;
  std::string compressed;
  curl_slist* headers_to_send = impl_->headers;
  const bool has_data = !request.body.empty() || request.stream != nullptr;
  StreamBody streamed;
  streamed.stream = request.stream;
  if (request.stream != nullptr) {
    url += "&query=" + Escape(curl, request.query);
    headers_to_send = impl_->chunked_headers;
    if (options_.compress_inserts) {
      streamed.gzip = std::make_unique<GzipStream>();
      headers_to_send = impl_->chunked_gzip_headers;
    }
  } else if (!request.body.empty()) {
    url += "&query=" + Escape(curl, request.query);
    payload = &request.body;
    if (options_.compress_inserts) {
      auto gz = Gzip(request.body);
      if (!gz.ok()) return gz.status();
      compressed = std::move(gz.value());
      payload = &compressed;
      headers_to_send = impl_->gzip_headers;
    }
  }
  ClickHouseResponse response;
  Sink sink{&response.body, request.max_response_bytes != 0 ? request.max_response_bytes
                                                            : options_.max_response_bytes};
  Headers headers;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers_to_send);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  if (request.stream != nullptr) {
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadStream);
    curl_easy_setopt(curl, CURLOPT_READDATA, &streamed);
    curl_easy_setopt(curl, CURLOPT_UPLOAD_BUFFERSIZE, kStreamBufferBytes);
  } else {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload->size()));
  }
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, ReadHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &headers);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  // The proxy is CLICKHOUSE_PROXY or none: "" overrides http_proxy, HTTPS_PROXY, ALL_PROXY.
  curl_easy_setopt(curl, CURLOPT_PROXY, options_.proxy.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, options_.proxy.empty() ? "*" : "");
  if (has_data) {
    // An INSERT gets a connection of its own. On a reused connection that dies before any
    // answer, libcurl silently sends the request again on a new one: if the server had run
    // the first copy (it answers only at the end), the rows would land twice. Reads and DDL
    // are safe to repeat and keep using the keep-alive connection.
    curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(curl, CURLOPT_SOCKOPTFUNCTION, ResetOnClose);
  }
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // gzip responses when offered

  CURLcode rc = PerformAbortable(impl_->multi, curl, options_.abort);
  if (!streamed.failure.ok()) return streamed.failure;  // the server refused what it got, or not
  std::string where =
      "ClickHouse at " + UrlHost(options_.host) + ":" + std::to_string(options_.port);
  if (sink.exceeded) {
    return Status(StatusCode::kUnavailable,
                  ScrubSecrets(where + ": answer exceeds " + std::to_string(sink.cap) + " bytes"));
  }
  if (rc != CURLE_OK) {
    return ClassifyTransportError(rc, where);
  }
  long http_status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http_status);
  if (http_status != 200 || headers.exception_code != 0) {
    return ClassifyClickHouseError(http_status, headers.exception_code, response.body);
  }
  if (size_t p = FindTrailingException(response.body); p != std::string::npos) {
    return ClassifyClickHouseError(http_status, 0, std::string_view(response.body).substr(p));
  }
  response.written_rows = headers.written_rows;
  return response;
}

}  // namespace eventlog
