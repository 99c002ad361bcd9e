// Tests for the management endpoint (src/manage/http_server.h): a ManagementServer on
// 127.0.0.1 port 0 with fake handlers, driven by httplib::Client with bounded timeouts.
// /metrics is checked by the independent parser tests/tools/prom_check.py; reload results,
// the quarantine round trip, body limits, unknown routes and methods, address parsing and
// bind failures are checked through responses and handler calls.
#include "manage/http_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "manage/httplib.h"

#include "guard/reasons.h"

extern char** environ;

namespace mecguard::manage {
namespace {

// Runs tests/tools/prom_check.py on `text`; returns its exit status and output.
std::pair<int, std::string> prom_check(const std::string& text, const std::vector<std::string>& expects) {
  static std::atomic<int> serial{0};
  const std::string base = ::testing::TempDir() + "/http_server_test_" + std::to_string(::getpid()) + "_" +
                           std::to_string(++serial);
  const std::string in = base + ".prom", out = base + ".out";
  {
    std::ofstream f(in, std::ios::binary);
    f << text;
  }
  std::vector<std::string> args = {"/usr/bin/python3", std::string(MECGUARD_SOURCE_DIR) + "/tests/tools/prom_check.py",
                                   in};
  for (const auto& e : expects) {
    args.push_back("--expect");
    args.push_back(e);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = 0;
  int status = -1;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) == 0) {
    int st = 0;
    ::waitpid(pid, &st, 0);
    status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
  }
  posix_spawn_file_actions_destroy(&fa);
  std::ifstream f(out);
  std::stringstream ss;
  ss << f.rdbuf();
  std::remove(in.c_str());
  std::remove(out.c_str());
  return {status, ss.str()};
}

std::unique_ptr<httplib::Client> client(const std::string& host, uint16_t port) {
  auto c = std::make_unique<httplib::Client>(host, port);
  c->set_connection_timeout(2, 0);
  c->set_read_timeout(5, 0);
  c->set_write_timeout(5, 0);
  return c;
}

nlohmann::json body_json(const httplib::Result& r) {
  return nlohmann::json::parse(r->body, nullptr, false);
}

// Fake gateway state behind the handlers.
struct FakeGateway {
  std::mutex mu;
  bool reload_ok = true;
  int reload_calls = 0;
  int add_calls = 0;
  std::map<std::string, nlohmann::json> quarantine;  // ue -> entry

  ManagementServer::Handlers handlers() {
    ManagementServer::Handlers h;
    h.snapshot = [] {
      GatewaySnapshot s;
      s.workers.resize(1);
      s.workers[0].counters.frames = 42;
      s.workers[0].counters.drops[static_cast<size_t>(guard::Reason::kUeSrcSpoofed)] = 6;
      s.sessions = 3;
      s.reloads_ok = 2;
      for (auto& m : s.stage_modes) m = "enforce";
      s.ports.push_back({"n3", "af_packet", 10, 1000, 9, 900, 1, 0});
      return s;
    };
    h.reload = [this] {
      const std::lock_guard lock(mu);
      ++reload_calls;
      return reload_ok ? std::pair<bool, std::string>{true, "policy reloaded (12 rules)"}
                       : std::pair<bool, std::string>{false, "policy.yaml:3 acl.rules[0].ports: range end 80 < start 443"};
    };
    h.quarantine_list = [this] {
      const std::lock_guard lock(mu);
      nlohmann::json a = nlohmann::json::array();
      for (const auto& kv : quarantine) a.push_back(kv.second);
      return a.dump();
    };
    h.quarantine_add = [this](const std::string& body) {
      const std::lock_guard lock(mu);
      ++add_calls;
      const auto j = nlohmann::json::parse(body);
      const auto ue = j.at("ue").get<std::string>();
      if (ue.find_first_not_of("0123456789abcdef.:") != std::string::npos) {
        return std::pair<bool, std::string>{false, "'" + ue + "' is not an IP address"};
      }
      quarantine[ue] = j;
      return std::pair<bool, std::string>{true, "added " + ue};
    };
    h.quarantine_release = [this](const std::string& ue) {
      const std::lock_guard lock(mu);
      if (quarantine.erase(ue) == 0) return std::pair<bool, std::string>{false, ue + " is not quarantined"};
      return std::pair<bool, std::string>{true, "released " + ue};
    };
    return h;
  }
};

class ManagementServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = ManagementServer::start("127.0.0.1:0", gw_.handlers());
    ASSERT_TRUE(s.has_value()) << s.error().to_string();
    server_ = std::move(*s);
    ASSERT_NE(server_->port(), 0);
    cli_ = client("127.0.0.1", server_->port());
  }

  FakeGateway gw_;
  std::unique_ptr<ManagementServer> server_;
  std::unique_ptr<httplib::Client> cli_;
};

TEST_F(ManagementServerTest, MetricsOverHttpPassTheIndependentParser) {
  const auto r = cli_->Get("/metrics");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u)
      << r->get_header_value("Content-Type");
  const auto [status, out] = prom_check(r->body, {
      R"(mecguard_worker_packets_total{worker="0"}=42)",
      R"(mecguard_reason_total{stage="anti_spoof",reason="ue_src_spoofed",outcome="enforced"}=6)",
      R"(mecguard_sessions=3)",
      R"(mecguard_reloads_total{result="ok"}=2)",
      R"(mecguard_port_rx_packets_total{port="n3",io="af_packet"}=10)",
      R"(mecguard_port_rx_kernel_drops_total{port="n3",io="af_packet"}=1)",
  });
  EXPECT_EQ(status, 0) << out << "\n" << r->body;
  // A wrong expectation over the same body fails, so the check above means something.
  EXPECT_EQ(prom_check(r->body, {R"(mecguard_sessions=4)"}).first, 1);
}

TEST_F(ManagementServerTest, Healthz) {
  const auto r = cli_->Get("/healthz");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok\n");
}

TEST_F(ManagementServerTest, ReloadResultsReachTheResponse) {
  auto r = cli_->Post("/reload", "", "application/json");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  auto j = body_json(r);
  EXPECT_EQ(j.value("ok", false), true) << r->body;
  EXPECT_EQ(j.value("message", ""), "policy reloaded (12 rules)");

  {
    const std::lock_guard lock(gw_.mu);
    gw_.reload_ok = false;
  }
  r = cli_->Post("/reload", "", "application/json");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 422);
  j = body_json(r);
  EXPECT_EQ(j.value("ok", true), false) << r->body;
  EXPECT_EQ(j.value("message", ""), "policy.yaml:3 acl.rules[0].ports: range end 80 < start 443");
  const std::lock_guard lock(gw_.mu);
  EXPECT_EQ(gw_.reload_calls, 2);
}

TEST_F(ManagementServerTest, QuarantineRoundTrip) {
  auto r = cli_->Post("/quarantine", R"({"ue":"10.45.0.23","allow":["198.51.100.53/32"],"expires":600,"reason":"scan"})",
                      "application/json");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200) << r->body;
  r = cli_->Post("/quarantine", R"({"ue":"2001:db8::7"})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;

  r = cli_->Get("/quarantine");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  auto list = nlohmann::json::parse(r->body, nullptr, false);
  ASSERT_TRUE(list.is_array()) << r->body;
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["ue"], "10.45.0.23");
  EXPECT_EQ(list[0]["allow"][0], "198.51.100.53/32");
  EXPECT_EQ(list[0]["expires"], 600);
  EXPECT_EQ(list[0]["reason"], "scan");

  r = cli_->Delete("/quarantine/10.45.0.23");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  r = cli_->Delete("/quarantine/2001:db8::7");  // colons in the path segment
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  r = cli_->Delete("/quarantine/10.45.0.23");  // already released
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;
  EXPECT_EQ(body_json(r).value("message", ""), "10.45.0.23 is not quarantined");

  r = cli_->Get("/quarantine");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "[]");
}

TEST_F(ManagementServerTest, QuarantineBodyShapeCheckedBeforeTheHandler) {
  for (const char* bad : {"", "not json", "[]", R"({"allow":[]})", R"({"ue":5})", R"({"ue":""})",
                          R"({"ue":"10.0.0.1","allow":"10.0.0.0/8"})", R"({"ue":"10.0.0.1","allow":[1]})",
                          R"({"ue":"10.0.0.1","expires":-1})", R"({"ue":"10.0.0.1","expires":"soon"})",
                          R"({"ue":"10.0.0.1","reason":7})", R"({"ue":"10.0.0.1","by":"me"})"}) {
    const auto r = cli_->Post("/quarantine", bad, "application/json");
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 400) << bad << " -> " << r->body;
    EXPECT_EQ(body_json(r).value("ok", true), false) << r->body;
  }
  {
    const std::lock_guard lock(gw_.mu);
    EXPECT_EQ(gw_.add_calls, 0);
  }
  // Well-formed but refused by the handler: 422 with its message.
  const auto r = cli_->Post("/quarantine", R"({"ue":"not-an-ip"})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422) << r->body;
  EXPECT_EQ(body_json(r).value("message", ""), "'not-an-ip' is not an IP address");
}

TEST_F(ManagementServerTest, OversizedBodyIs413) {
  // At the bound the body is read (and rejected as JSON); one byte above it is refused unread.
  const std::string at_limit(kMaxBodyBytes, 'x');
  auto r = cli_->Post("/quarantine", at_limit, "application/json");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 400) << r->body;

  const std::string above(kMaxBodyBytes + 1, 'x');
  r = cli_->Post("/quarantine", above, "application/json");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 413) << r->body;
  const std::string big(1 << 20, 'x');
  r = cli_->Post("/reload", big, "application/json");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 413) << r->body;
  const std::lock_guard lock(gw_.mu);
  EXPECT_EQ(gw_.add_calls, 0);
  EXPECT_EQ(gw_.reload_calls, 0);
}

TEST_F(ManagementServerTest, UnknownRoutesAre404AndWrongMethods405) {
  for (const char* path : {"/", "/nope", "/metrics/x", "/quarantine/a/b", "/reload2"}) {
    const auto r = cli_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_EQ(body_json(r).value("ok", true), false) << r->body;
  }
  auto r = cli_->Get("/reload");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "POST");
  r = cli_->Post("/metrics", "", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "GET, HEAD");
  r = cli_->Put("/quarantine", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  r = cli_->Get("/quarantine/10.0.0.1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "DELETE");
  r = cli_->Delete("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  const std::lock_guard lock(gw_.mu);
  EXPECT_EQ(gw_.reload_calls, 0);
}

TEST_F(ManagementServerTest, ConcurrentScrapes) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([port = server_->port(), &ok] {
      auto c = client("127.0.0.1", port);
      for (int i = 0; i < 10; ++i) {
        const auto r = c->Get("/metrics");
        if (r && r->status == 200 && r->body.find("mecguard_sessions 3\n") != std::string::npos) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 40);
}

TEST_F(ManagementServerTest, StopEndsServingAndIsIdempotent) {
  const auto port = server_->port();
  ASSERT_TRUE(cli_->Get("/healthz"));
  server_->stop();
  server_->stop();
  auto c = client("127.0.0.1", port);
  const auto r = c->Get("/healthz");
  EXPECT_FALSE(r);
  server_.reset();  // destructor after stop
}

TEST(ManagementServer, MissingHandlersAre501) {
  auto s = ManagementServer::start("127.0.0.1:0", {});
  ASSERT_TRUE(s.has_value()) << s.error().to_string();
  auto c = client("127.0.0.1", (*s)->port());
  auto r = c->Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 501);
  r = c->Post("/reload", "", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 501);
  r = c->Delete("/quarantine/10.0.0.1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 501);
  r = c->Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(ManagementServer, ThrowingHandlerIs500AndServerSurvives) {
  ManagementServer::Handlers h;
  h.reload = []() -> std::pair<bool, std::string> { throw std::runtime_error("boom"); };
  auto s = ManagementServer::start("127.0.0.1:0", h);
  ASSERT_TRUE(s.has_value()) << s.error().to_string();
  auto c = client("127.0.0.1", (*s)->port());
  auto r = c->Post("/reload", "", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  r = c->Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(ManagementServer, AddressInUseIsAClearError) {
  auto first = ManagementServer::start("127.0.0.1:0", {});
  ASSERT_TRUE(first.has_value()) << first.error().to_string();
  const std::string addr = "127.0.0.1:" + std::to_string((*first)->port());
  auto second = ManagementServer::start(addr, {});
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, ErrorCode::kIo);
  EXPECT_NE(second.error().message.find("in use"), std::string::npos) << second.error().message;
  EXPECT_NE(second.error().message.find(addr), std::string::npos) << second.error().message;
  // The first server still serves.
  auto c = client("127.0.0.1", (*first)->port());
  const auto r = c->Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(ManagementServer, AddressNotOnThisHostIsAnError) {
  // 192.0.2.1 (TEST-NET-1) is never a local address.
  auto s = ManagementServer::start("192.0.2.1:0", {});
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
  EXPECT_NE(s.error().message.find("192.0.2.1:0"), std::string::npos) << s.error().message;
}

TEST(ManagementServer, BadAddressesAreErrorsNotCrashes) {
  const std::vector<std::string> bad_addresses = {"", ":", "127.0.0.1", "127.0.0.1:", ":9464", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:80x",
        "127.0.0.1:999999", "127.0.0.1: 80", "::1:9464", "[::1]", "[::1]9464", "[::1:9464", "[]:1", "[zz]:1",
        "example.com:80", "256.0.0.1:80", "1.2.3:80", "[127.0.0.1]:80", "fe80::1%lo:80", std::string(4096, '9'),
        std::string("127.0.0.1\0:80", 13)};
  for (const auto& bad : bad_addresses) {
    auto p = parse_listen_address(bad);
    EXPECT_FALSE(p.has_value()) << bad;
    if (!p.has_value()) {
      EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument) << bad;
    }
    auto s = ManagementServer::start(bad, {});
    EXPECT_FALSE(s.has_value()) << bad;
  }
}

TEST(ManagementServer, GoodAddressesParse) {
  auto a = parse_listen_address(kDefaultManagementAddress);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9464);
  EXPECT_FALSE(a->ipv6);
  a = parse_listen_address("[::1]:0");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 0);
  EXPECT_TRUE(a->ipv6);
  a = parse_listen_address("localhost:65535");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 65535);
}

TEST(ManagementServer, ServesOnIpv6Loopback) {
  FakeGateway gw;
  auto s = ManagementServer::start("[::1]:0", gw.handlers());
  if (!s.has_value()) {
    GTEST_SKIP() << "no IPv6 loopback here: " << s.error().to_string();
  }
  auto c = client("::1", (*s)->port());
  const auto r = c->Get("/metrics");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  const auto [status, out] = prom_check(r->body, {R"(mecguard_worker_packets_total{worker="0"}=42)"});
  EXPECT_EQ(status, 0) << out;
}

}  // namespace
}  // namespace mecguard::manage
