#include "service/http_api.h"

#include <httplib.h>

#include <pqxx/pqxx>

#include "core/uuid7.h"
#include "observe/logger.h"

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

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kConflict: return 409;
    case StatusCode::kInvalidArgument: return 422;
    case StatusCode::kUnavailable: return 503;
    default: return 500;
  }
}

// Reads {email, first_name, last_name}; false (with the reply set) on a malformed body.
bool ParseNewUser(const httplib::Request& req, httplib::Response& res, NewUser& out) {
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    ReplyError(res, 400, "body must be a JSON object");
    return false;
  }
  for (const char* field : {"email", "first_name", "last_name"}) {
    if (body.contains(field) && !body[field].is_string()) {
      ReplyError(res, 400, std::string(field) + " must be a string");
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

}  // namespace

struct HttpApi::Impl {
  httplib::Server server;
  PgPool& pool;
  CreateUser& create_user;

  Impl(PgPool& p, CreateUser& c) : pool(p), create_user(c) {}

  void PostUsers(const httplib::Request& req, httplib::Response& res) {
    NewUser input;
    if (!ParseNewUser(req, res, input)) return;
    auto user = create_user.Execute(input);
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
    Status s = pool.Run([](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      tx.exec1("SELECT 1");
      return Status::Ok();
    });
    if (s.ok()) {
      Reply(res, 200, {{"status", "ok"}});
    } else {
      Reply(res, 503, {{"status", "unavailable"}, {"error", "database unavailable"}});
    }
  }

  void Install() {
    server.set_payload_max_length(kMaxRequestBodyBytes);
    server.Post("/users", [this](const httplib::Request& req, httplib::Response& res) {
      log::BoundContext ctx({{"request_id", NewUuid7()}, {"path", "/users"}});
      PostUsers(req, res);
      log::Info(kLogger, "request", {{"method", "POST"}, {"status", res.status}});
    });
    server.Get("/healthz",
               [this](const httplib::Request&, httplib::Response& res) { Healthz(res); });
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return;
      if (res.status == 413) {
        ReplyError(res, 413,
                   "request body over " + std::to_string(kMaxRequestBodyBytes) + " bytes");
      } else if (res.status == 404) {
        ReplyError(res, 404, "not found");
      } else {
        ReplyError(res, res.status, "request failed");
      }
    });
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          ReplyError(res, 500, "internal error");
        });
  }
};

HttpApi::HttpApi(PgPool& pool, CreateUser& create_user)
    : impl_(std::make_unique<Impl>(pool, create_user)) {
  impl_->Install();
}

HttpApi::~HttpApi() = default;

bool HttpApi::Listen(const std::string& host, int port) { return impl_->server.listen(host, port); }

int HttpApi::BindToAnyPort(const std::string& host) { return impl_->server.bind_to_any_port(host); }

bool HttpApi::ListenAfterBind() { return impl_->server.listen_after_bind(); }

void HttpApi::Stop() { impl_->server.stop(); }

}  // namespace eventlog
