#include "clickhouse/http_client.h"

#include <curl/curl.h>

#include <mutex>

#include "clickhouse/error_classifier.h"

namespace eventlog {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// Picks X-ClickHouse-Exception-Code out of the response headers.
size_t ReadHeader(char* data, size_t size, size_t n, void* out) {
  std::string_view line(data, size * n);
  constexpr std::string_view kName = "x-clickhouse-exception-code:";
  if (line.size() > kName.size()) {
    std::string lower(line.substr(0, kName.size()));
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == kName)
      *static_cast<int*>(out) = std::atoi(std::string(line.substr(kName.size())).c_str());
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

}  // namespace

struct ClickHouseClient::Impl {
  CURLM* multi = nullptr;  // owns the connection cache: the keep-alive connection lives here
  CURL* curl = nullptr;
  curl_slist* headers = nullptr;
};

ClickHouseClient::ClickHouseClient(ClickHouseOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  GlobalInitOnce();
  impl_->multi = curl_multi_init();
  impl_->curl = curl_easy_init();
  impl_->headers =
      curl_slist_append(impl_->headers, ("X-ClickHouse-User: " + options_.user).c_str());
  impl_->headers =
      curl_slist_append(impl_->headers, ("X-ClickHouse-Key: " + options_.password).c_str());
  impl_->headers = curl_slist_append(impl_->headers, "Content-Type: text/plain; charset=UTF-8");
  impl_->headers = curl_slist_append(impl_->headers, "Expect:");  // no 100-continue round trip
}

ClickHouseClient::~ClickHouseClient() {
  curl_slist_free_all(impl_->headers);
  curl_easy_cleanup(impl_->curl);
  curl_multi_cleanup(impl_->multi);
}

Result<std::string> ClickHouseClient::Execute(const std::string& query, const std::string& body,
                                              const std::map<std::string, std::string>& settings) {
  CURL* curl = impl_->curl;
  curl_easy_reset(curl);  // options only: connections stay in the multi handle's cache
  std::string url = options_.protocol + "://" + options_.host + ":" +
                    std::to_string(options_.port) + "/?database=" + Escape(curl, options_.database);
  for (const auto& [k, v] : settings) url += "&" + Escape(curl, k) + "=" + Escape(curl, v);
  const std::string* payload = &query;
  if (!body.empty()) {
    url += "&query=" + Escape(curl, query);
    payload = &body;
  }
  std::string response;
  int header_code = 0;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, impl_->headers);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload->data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload->size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, ReadHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &header_code);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  if (!body.empty()) {
    // An INSERT gets a connection of its own. On a reused connection that dies before any
    // answer, libcurl silently sends the request again on a new one: if the server had run
    // the first copy (it answers only at the end), the rows would land twice. Reads and DDL
    // are safe to repeat and keep using the keep-alive connection.
    curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
  }
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // gzip responses when offered

  CURLcode rc = PerformAbortable(impl_->multi, curl, options_.abort);
  if (rc != CURLE_OK) {
    // Transport failure: the request may or may not have reached the server.
    return Status(StatusCode::kUnavailable, std::string("ClickHouse at ") + options_.host + ":" +
                                                std::to_string(options_.port) + ": " +
                                                curl_easy_strerror(rc));
  }
  long http_status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http_status);
  if (http_status != 200 || header_code != 0) {
    return ClassifyClickHouseError(http_status, header_code, response);
  }
  if (size_t p = FindTrailingException(response); p != std::string::npos) {
    return ClassifyClickHouseError(http_status, 0, std::string_view(response).substr(p));
  }
  return response;
}

}  // namespace eventlog
