// The users service over HTTP: the API's answers to good and bad input, and to a lost database.
#include "service/http_api.h"

#include <httplib.h>
#include <spdlog/sinks/ostream_sink.h>

#include <regex>
#include <sstream>
#include <thread>

#include "observe/logger.h"
#include "outbox/pg_user_repository.h"
#include "tests/integration/test_env.h"

namespace eventlog::testing {
namespace {

// Serves the API on a free loopback port for one test.
class ServedApi {
 public:
  explicit ServedApi(const std::string& database_url, bool mask_pii = true)
      : pool_(database_url, 2),
        writer_("Test", 1 << 20),
        users_(pool_, writer_),
        create_(users_, mask_pii),
        api_(users_, create_) {
    port_ = api_.BindToAnyPort("127.0.0.1");
    thread_ = std::thread([this] { api_.ListenAfterBind(); });
  }
  ~ServedApi() {
    api_.Stop();
    thread_.join();
  }
  httplib::Client Client() const { return httplib::Client("127.0.0.1", port_); }

 private:
  PgPool pool_;
  OutboxWriter writer_;
  PgUserRepository users_;
  CreateUser create_;
  HttpApi api_;
  int port_ = 0;
  std::thread thread_;
};

class HttpApiTest : public IntegrationTest {};

httplib::Result Post(ServedApi& api, const std::string& body) {
  return api.Client().Post("/users", body, "application/json");
}

TEST_F(HttpApiTest, CreatesUserWith201AndEnqueuesEvent) {
  ServedApi api(Servers().database_url);
  auto res = Post(api, R"({"email":"ada@example.com","first_name":"Ada","last_name":"Lovelace"})");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201);
  auto body = nlohmann::json::parse(res->body);
  EXPECT_EQ(body["email"], "ada@example.com");
  EXPECT_EQ(body["first_name"], "Ada");
  EXPECT_TRUE(body["id"].is_number());
  // RFC 3339 in UTC, to the microsecond: "2026-12-03T09:00:00.123456Z".
  EXPECT_TRUE(std::regex_match(body["created_at"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)")))
      << body["created_at"];
  EXPECT_EQ(PgCount("event_outbox"), 1);
}

TEST_F(HttpApiTest, DuplicateEmailIs409WithTheSeedsMessage) {
  ServedApi api(Servers().database_url);
  ASSERT_EQ(Post(api, R"({"email":"a@example.com"})")->status, 201);
  auto res = Post(api, R"({"email":"a@example.com"})");
  EXPECT_EQ(res->status, 409);
  EXPECT_EQ(nlohmann::json::parse(res->body),
            nlohmann::json({{"error", "User with this email already exists"}}));
  EXPECT_EQ(PgCount("event_outbox"), 1);
}

TEST_F(HttpApiTest, BadInputGetsA4xxWithAMessageAndWritesNothing) {
  ServedApi api(Servers().database_url);
  struct Case {
    std::string body;
    int status;
  };
  for (const Case& c : std::vector<Case>{{"{not json", 400},
                                         {"[1,2]", 400},
                                         {R"({"first_name":"x"})", 400},
                                         {R"({"email":""})", 400},
                                         {R"({"email":42})", 400},
                                         {R"({"email":"no-at-sign"})", 422},
                                         {R"({"email":"a@b"})", 422},
                                         {R"({"email":"a b@example.com"})", 422},
                                         {std::string(size_t{70} * 1024, 'x'), 413}}) {
    auto res = Post(api, c.body);
    ASSERT_TRUE(res) << c.body.substr(0, 40);
    EXPECT_EQ(res->status, c.status) << c.body.substr(0, 40);
    auto body = nlohmann::json::parse(res->body, nullptr, false);
    EXPECT_TRUE(body.is_object() && body.contains("error")) << res->body;
  }
  EXPECT_EQ(PgCount("users"), 0);
  EXPECT_EQ(PgCount("event_outbox"), 0);
}

TEST_F(HttpApiTest, NamesWithControlCharactersAre400AndWriteNothing) {
  ServedApi api(Servers().database_url);
  for (const char* body : {R"({"email":"a@example.com","first_name":"Ada\u0000x"})",
                           R"({"email":"a@example.com","last_name":"Love\nlace"})",
                           R"({"email":"a@example.com","first_name":"x\u0085y"})",
                           R"({"email":"a\u0001@example.com"})"}) {
    auto res = Post(api, body);
    ASSERT_TRUE(res) << body;
    EXPECT_EQ(res->status, 400) << body;
    auto error = nlohmann::json::parse(res->body, nullptr, false).value("error", "");
    EXPECT_NE(error.find("must not contain control characters"), std::string::npos) << error;
  }
  EXPECT_EQ(PgCount("users"), 0);
  EXPECT_EQ(PgCount("event_outbox"), 0);
}

TEST_F(HttpApiTest, LogLinesMaskTheEmailUnlessToldOtherwise) {
  std::ostringstream out;
  log::Init(LogFormat::kJson, "info", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  {
    ServedApi api(Servers().database_url);
    ASSERT_EQ(Post(api, R"({"email":"ada.lovelace@example.com"})")->status, 201);
  }
  std::string masked = out.str();
  out.str("");
  {
    ServedApi api(Servers().database_url, /*mask_pii=*/false);
    ASSERT_EQ(Post(api, R"({"email":"grace.hopper@example.com"})")->status, 201);
  }
  std::string plain = out.str();
  log::Init(LogFormat::kConsole, "warn");
  EXPECT_EQ(masked.find("ada.lovelace"), std::string::npos) << masked;
  EXPECT_NE(masked.find("a***@example.com"), std::string::npos) << masked;
  EXPECT_NE(plain.find("grace.hopper@example.com"), std::string::npos) << plain;
}

TEST_F(HttpApiTest, HealthzIs200WhenPostgresAnswers) {
  ServedApi api(Servers().database_url);
  auto res = api.Client().Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(HttpApiTest, DatabaseDownGives503NotACrash) {
  ServedApi api("postgresql://eventlog:eventlog@127.0.0.1:1/eventlog?connect_timeout=1");
  EXPECT_EQ(Post(api, R"({"email":"a@example.com"})")->status, 503);
  EXPECT_EQ(api.Client().Get("/healthz")->status, 503);
}

}  // namespace
}  // namespace eventlog::testing

namespace eventlog::testing {
namespace {

// W3C Trace Context: POST /users continues the caller's trace (a span of its own, child of the
// caller's), or starts one; the event and the request's log line carry it.
TEST_F(HttpApiTest, TraceparentIsContinuedOrStartedAndStoredWithTheEvent) {
  std::ostringstream out;
  log::Init(LogFormat::kJson, "info", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string parent = "00f067aa0ba902b7";
  {
    ServedApi api(Servers().database_url);
    auto client = api.Client();
    ASSERT_EQ(client
                  .Post("/users", {{"traceparent", "00-" + trace_id + "-" + parent + "-01"}},
                        R"({"email":"traced@example.com"})", "application/json")
                  ->status,
              201);
    ASSERT_EQ(client
                  .Post("/users", {{"traceparent", "00-" + trace_id + "-0000000000000000-01"}},
                        R"({"email":"badheader@example.com"})", "application/json")
                  ->status,
              201);
    ASSERT_EQ(Post(api, R"({"email":"untraced@example.com"})")->status, 201);
  }
  const std::string log_text = out.str();
  log::Init(LogFormat::kConsole, "warn");
  auto row = [&](const std::string& email) {
    return PgScalar(
        "SELECT trace_id || ' ' || span_id FROM event_outbox WHERE event_context::jsonb->>'email' "
        "= '" +
        email + "'");
  };
  const std::string traced = row("traced@example.com");
  EXPECT_EQ(traced.substr(0, 32), trace_id);
  const std::string span = traced.substr(33);
  EXPECT_EQ(span.size(), 16u);
  EXPECT_NE(span, parent) << "the request is a span of its own, child of the caller's";
  for (const char* email : {"badheader@example.com", "untraced@example.com"}) {
    const std::string started = row(email);
    EXPECT_TRUE(std::regex_match(started, std::regex("[0-9a-f]{32} [0-9a-f]{16}"))) << started;
    EXPECT_NE(started.substr(0, 32), trace_id) << email << ": a malformed header starts a trace";
  }
  EXPECT_NE(log_text.find("\"trace_id\":\"" + trace_id + "\""), std::string::npos) << log_text;
  EXPECT_NE(log_text.find("\"span_id\":\"" + span + "\""), std::string::npos) << log_text;
}

}  // namespace
}  // namespace eventlog::testing
