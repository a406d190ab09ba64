// `eventlog serve` against bodies that try to get past the 64 KiB limit: chunked, unlengthed,
// compressed. Raw sockets, since HTTP libraries frame bodies politely.
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/http_test_support.h"
#include "tests/integration/test_env.h"

namespace eventlog::testing {
namespace {

constexpr auto kAnswerTimeout = std::chrono::seconds(10);

class HttpLimitsTest : public IntegrationTest {};

std::string Head(const std::string& headers) {
  return "POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + headers + "\r\n";
}

// Sends `head`, then `body` from another thread (the server may stop reading it), and
// returns the response.
std::string Exchange(int port, const std::string& head, const std::string& body) {
  int fd = ConnectTo(port);
  EXPECT_GE(fd, 0);
  SendAll(fd, head);
  std::thread sender([fd, &body] { SendAll(fd, body); });
  std::string response = ReadResponse(fd, kAnswerTimeout);
  shutdown(fd, SHUT_RDWR);  // ends a send still blocked
  sender.join();
  close(fd);
  return response;
}

void ExpectJsonError(const std::string& response, int status) {
  EXPECT_EQ(StatusOf(response), status) << response.substr(0, 300);
  auto body = nlohmann::json::parse(BodyOf(response), nullptr, false);
  EXPECT_TRUE(body.is_object() && body.contains("error")) << response.substr(0, 300);
}

TEST_F(HttpLimitsTest, ChunkedBodyOverTheLimitIs413AndIsNeverBuffered) {
  ServeChild serve;
  ASSERT_TRUE(serve.WaitHealthy()) << serve.Output();
  long rss_before_kib = serve.RssKiB();
  constexpr size_t kChunk = size_t{64} * 1024;
  constexpr size_t kBodyBytes = size_t{32} << 20;
  std::string chunk = "10000\r\n" + std::string(kChunk, 'x') + "\r\n";
  std::string body;
  body.reserve(kBodyBytes / kChunk * chunk.size() + 5);
  for (size_t sent = 0; sent < kBodyBytes; sent += kChunk) body += chunk;
  body += "0\r\n\r\n";
  std::string response = Exchange(serve.port(), Head("Transfer-Encoding: chunked\r\n"), body);
  ExpectJsonError(response, 413);
  // A path without a body handler: httplib would read the body whole before answering 404.
  std::string head = "PUT /elsewhere HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  ExpectJsonError(Exchange(serve.port(), head, body), 404);
  long grown_kib = serve.RssKiB() - rss_before_kib;
  EXPECT_LT(grown_kib, 8 * 1024) << "serve grew by " << grown_kib << " KiB for 32 MiB bodies";
  EXPECT_TRUE(serve.WaitHealthy(std::chrono::seconds(2)));
}

TEST_F(HttpLimitsTest, BodyWithoutLengthOrChunkingIs411) {
  ServeChild serve;
  ASSERT_TRUE(serve.WaitHealthy()) << serve.Output();
  ExpectJsonError(Exchange(serve.port(), Head(""), R"({"email":"a@example.com"})"), 411);
  EXPECT_EQ(PgCount("users"), 0);
}

TEST_F(HttpLimitsTest, CompressedBodyIs415) {
  ServeChild serve;
  ASSERT_TRUE(serve.WaitHealthy()) << serve.Output();
  // gzip of 1 MiB of zeros would be ~1 KiB on the wire; the server must not inflate anything.
  const std::string gzip_magic("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
  std::string head = Head(
      "Content-Encoding: gzip\r\nContent-Length: " + std::to_string(gzip_magic.size()) + "\r\n");
  ExpectJsonError(Exchange(serve.port(), head, gzip_magic), 415);
  head = Head("Content-Encoding: br\r\nTransfer-Encoding: chunked\r\n");
  ExpectJsonError(Exchange(serve.port(), head, "1\r\nx\r\n0\r\n\r\n"), 415);
}

TEST_F(HttpLimitsTest, ChunkedBodyWithinTheLimitIsServedAndTheConnectionReused) {
  ServeChild serve;
  ASSERT_TRUE(serve.WaitHealthy()) << serve.Output();
  std::string json = R"({"email":"chunked@example.com","first_name":"C"})";
  char size_hex[16];
  snprintf(size_hex, sizeof size_hex, "%zx", json.size());
  int fd = ConnectTo(serve.port());
  ASSERT_GE(fd, 0);
  SendAll(fd, Head("Transfer-Encoding: chunked\r\n") + size_hex + "\r\n" + json + "\r\n0\r\n\r\n");
  EXPECT_EQ(StatusOf(ReadResponse(fd, kAnswerTimeout)), 201);
  SendAll(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");  // same connection
  EXPECT_EQ(StatusOf(ReadResponse(fd, kAnswerTimeout)), 200);
  close(fd);
  EXPECT_EQ(PgCount("users"), 1);
}

}  // namespace
}  // namespace eventlog::testing
