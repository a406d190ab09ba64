#include "service/http_api.h"

#include <httplib.h>

#include <optional>

#include "core/uuid7.h"
#include "observe/logger.h"
#include "observe/metrics.h"
#include "service/body_framing.h"
#include "service/bounded_server.h"
#include "service/pii.h"

namespace eventlog {
namespace {

constexpr std::string_view kLogger = "eventlog.http";

void Reply(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void ReplyError(httplib::Response& res, int status, const std::string& message) {
  Reply(res, status, {{"error", message}});
}

// Answers, then closes the connection: what the client sent after the headers was not read,
// so the next request could not be found in it.
void ReplyErrorAndClose(httplib::Response& res, int status, const std::string& message) {
  if (ConnectionControl* c = CurrentConnection()) c->close_after_response = true;
  ReplyError(res, status, message);
}

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kConflict: return 409;
    case StatusCode::kInvalidArgument: return 422;
    case StatusCode::kUnavailable: return 503;
    default: return 500;
  }
}

// Reads {email, first_name, last_name}; false (with the reply set) on a malformed body.
bool ParseNewUser(const std::string& text, httplib::Response& res, NewUser& out) {
  auto body = nlohmann::json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    ReplyError(res, 400, "body must be a JSON object");
    return false;
  }
  for (const char* field : {"email", "first_name", "last_name"}) {
    if (!body.contains(field)) continue;
    if (!body[field].is_string()) {
      ReplyError(res, 400, std::string(field) + " must be a string");
      return false;
    }
    if (HasControlCharacter(body[field].get<std::string>())) {
      ReplyError(res, 400, std::string(field) + " must not contain control characters");
      return false;
    }
  }
  if (!body.contains("email") || body["email"].get<std::string>().empty()) {
    ReplyError(res, 400, "email is required");
    return false;
  }
  out.email = body["email"].get<std::string>();
  out.first_name = body.value("first_name", "");
  out.last_name = body.value("last_name", "");
  return true;
}

// Reads the body through a counter: a chunked or lying client cannot make us keep more than
// kMaxRequestBodyBytes. false (with the reply set) when it cannot be read whole.
bool ReadBody(const httplib::ContentReader& read, httplib::Response& res, std::string& body) {
  bool too_large = false;
  bool ok = read([&](const char* data, size_t n) {
    if (body.size() + n > kMaxRequestBodyBytes) {
      too_large = true;
      return false;
    }
    body.append(data, n);
    return true;
  });
  if (ok) return true;
  const ConnectionControl* c = CurrentConnection();
  if (too_large || (c != nullptr && c->stream->over_cap())) {
    ReplyErrorAndClose(res, 413,
                       "request body over " + std::to_string(kMaxRequestBodyBytes) + " bytes");
  } else if (c != nullptr && c->stream->timed_out()) {
    ReplyErrorAndClose(res, 408, "request not received in time");
  } else {
    ReplyErrorAndClose(res, 400, "request body could not be read");
  }
  return false;
}

// The route label of a request's metrics: the served paths, and one label for the rest.
std::string RouteOf(const std::string& path) {
  for (const char* known : {"/users", "/healthz", "/metrics"}) {
    if (path == known) return known;
  }
  return "other";
}

// When the current request's headers were in (set by the pre-routing handler, which runs on the
// worker thread that answers it); unset for a request that never got that far.
thread_local std::optional<std::chrono::steady_clock::time_point> request_started;

// The message for an error httplib (or a closed connection) set without a body.
std::string DefaultMessage(int status) {
  switch (status) {
    case 404: return "not found";
    case 408: return "request not received in time";
    case 413: return "request over the size limit";
    default: return "request failed";
  }
}

}  // namespace

struct HttpApi::Impl {
  BoundedServer server;
  UserRepository& users;  // GET /healthz pings its database
  CreateUser& create_user;
  Metrics* metrics;

  Impl(UserRepository& u, CreateUser& c, const HttpOptions& o, Metrics* m)
      : server(ConnectionLimits{o.request_timeout, o.request_timeout}, o.threads, o.queue),
        users(u),
        create_user(c),
        metrics(m) {}

  // Every answer written, whatever answered it (a route, the pre-routing refusals, errors).
  void CountRequest(const httplib::Request& req, const httplib::Response& res) {
    if (metrics == nullptr) return;
    const auto now = std::chrono::steady_clock::now();
    metrics->ObserveRequest(
        RouteOf(req.path), res.status,
        request_started ? now - *request_started : std::chrono::steady_clock::duration::zero());
    request_started.reset();
  }

  void PostUsers(const std::string& body, httplib::Response& res, const TraceContext& trace) {
    NewUser input;
    if (!ParseNewUser(body, res, input)) return;
    auto user = create_user.Execute(input, trace);
    if (!user.ok()) {
      const Status& s = user.status();
      ReplyError(res, HttpStatusFor(s),
                 s.code() == StatusCode::kUnavailable ? "database unavailable, retry later"
                 : s.code() == StatusCode::kInternal  ? "internal error"
                                                      : s.message());
      return;
    }
    Reply(res, 201, user->ToJson());
  }

  void Healthz(httplib::Response& res) {
    if (users.Ping().ok()) {
      Reply(res, 200, {{"status", "ok"}});
    } else {
      Reply(res, 503, {{"status", "unavailable"}, {"error", "database unavailable"}});
    }
  }

  // Runs once the headers are in, before httplib reads any body: refuses what would make it
  // read a body without a bound (it reads chunked or unlengthed bodies whole, then routes).
  static httplib::Server::HandlerResponse PreRoute(const httplib::Request& req,
                                                   httplib::Response& res) {
    using R = httplib::Server::HandlerResponse;
    request_started = std::chrono::steady_clock::now();
    if (req.method == "POST" && req.path == "/users") {
      auto refusal = CheckBodyFraming(req, kMaxRequestBodyBytes);
      if (!refusal) return R::Unhandled;
      ReplyErrorAndClose(res, refusal->status, refusal->message);
      log::Info(kLogger, "request",
                {{"method", "POST"}, {"path", "/users"}, {"status", res.status}});
      return R::Handled;
    }
    if (DeclaresBody(req)) {
      if (ConnectionControl* c = CurrentConnection()) c->close_after_response = true;
    }
    if (req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS") {
      return R::Unhandled;  // httplib reads no body for these
    }
    bool known = req.path == "/users" || req.path == "/healthz" || req.path == "/metrics";
    ReplyErrorAndClose(res, known ? 405 : 404, known ? "method not allowed" : "not found");
    return R::Handled;
  }

  static void OnError(const httplib::Request&, httplib::Response& res) {
    const ConnectionControl* c = CurrentConnection();
    if (c != nullptr && res.body.empty()) {
      if (c->stream->timed_out()) res.status = 408;
      if (c->stream->over_cap()) res.status = 413;
    }
    if (res.body.empty()) ReplyError(res, res.status, DefaultMessage(res.status));
  }

  void Install() {
    server.set_payload_max_length(kMaxRequestBodyBytes);
    server.set_pre_routing_handler(PreRoute);
    // Refuse a bad body before telling the client to send it.
    server.set_expect_100_continue_handler([](const httplib::Request& req, httplib::Response& res) {
      return PreRoute(req, res) == httplib::Server::HandlerResponse::Handled ? res.status : 100;
    });
    server.Post("/users", [this](const httplib::Request& req, httplib::Response& res,
                                 const httplib::ContentReader& read) {
      // W3C Trace Context: this request is a span of the caller's trace, or starts a trace.
      const auto caller = ParseTraceparent(req.get_header_value("traceparent"));
      const TraceContext trace = caller ? ChildSpan(*caller) : NewTrace();
      log::BoundContext ctx({{"request_id", NewUuid7()},
                             {"path", "/users"},
                             {"trace_id", trace.trace_id},
                             {"span_id", trace.span_id}});
      std::string body;
      if (ReadBody(read, res, body)) PostUsers(body, res, trace);
      log::Info(kLogger, "request", {{"method", "POST"}, {"status", res.status}});
    });
    server.Get("/healthz",
               [this](const httplib::Request&, httplib::Response& res) { Healthz(res); });
    if (metrics != nullptr) {
      server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
        res.set_content(metrics->Exposition(), "text/plain; version=0.0.4");
      });
      server.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
        CountRequest(req, res);
      });
    }
    server.set_error_handler(OnError);
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          ReplyErrorAndClose(res, 500, "internal error");
        });
  }
};

HttpApi::HttpApi(UserRepository& users, CreateUser& create_user, const HttpOptions& options,
                 Metrics* metrics)
    : impl_(std::make_unique<Impl>(users, create_user, options, metrics)) {
  impl_->Install();
}

HttpApi::~HttpApi() = default;

bool HttpApi::Listen(const std::string& host, int port) {
  return impl_->server.Bind(host, port) > 0 && impl_->server.listen_after_bind();
}

int HttpApi::BindToAnyPort(const std::string& host) { return impl_->server.Bind(host, 0); }

bool HttpApi::ListenAfterBind() { return impl_->server.listen_after_bind(); }

void HttpApi::Stop(std::chrono::milliseconds drain) { impl_->server.Stop(drain); }

}  // namespace eventlog
