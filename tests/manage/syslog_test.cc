// Tests of the RFC 5424 syslog sink (manage/syslog.h): the pure formatting functions, option
// validation, the bounded queue with no server, and live delivery to small servers in this
// test on 127.0.0.1 (UDP, TCP with octet counting), reconnection and drain on stop. The real
// rsyslogd receiver (UDP, TCP, TLS) is exercised by syslog_rsyslog_test.cc.
#include "manage/syslog.h"

#include "guard/events.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace mecguard::manage {
namespace {

using namespace std::chrono_literals;
using Transport = SyslogOptions::Transport;

IpAddr ip(const char* text) { return *IpAddr::parse(text); }

// ---- formatting ---------------------------------------------------------------------------

TEST(SyslogFormat, Rfc3339Microseconds) {
  EXPECT_EQ(rfc3339_utc_us(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(rfc3339_utc_us(1'700'000'000'123'456), "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(rfc3339_utc_us(951'782'400'000'001), "2000-02-29T00:00:00.000001Z");
  EXPECT_EQ(rfc3339_utc_us(-1), "1969-12-31T23:59:59.999999Z");
}

TEST(SyslogFormat, WholeMessage) {
  SyslogRecord r;
  r.facility = 13;
  r.severity = 4;
  r.unix_us = 1'700'000'000'123'456;
  r.hostname = "edge-1";
  r.app_name = "mecguard";
  r.procid = "4242";
  r.msgid = "teid_unknown";
  r.structured_data = "[mecguard@32473 reason=\"teid_unknown\"]";
  r.msg = "{\"a\":1}";
  EXPECT_EQ(format_rfc5424(r),
            "<108>1 2023-11-14T22:13:20.123456Z edge-1 mecguard 4242 teid_unknown "
            "[mecguard@32473 reason=\"teid_unknown\"] {\"a\":1}");
}

TEST(SyslogFormat, PriorityIsFacilityTimesEightPlusSeverity) {
  SyslogRecord r;
  r.unix_us = 0;
  for (int facility : {0, 4, 13, 23}) {
    for (int severity = 0; severity <= 7; ++severity) {
      r.facility = facility;
      r.severity = severity;
      std::string want = "<" + std::to_string(facility * 8 + severity) + ">1 ";
      EXPECT_EQ(format_rfc5424(r).substr(0, want.size()), want) << facility << "/" << severity;
    }
  }
}

TEST(SyslogFormat, NilValuesAndHeaderFieldCleaning) {
  SyslogRecord r;
  r.facility = 1;
  r.severity = 6;
  r.unix_us = -1;  // no timestamp
  EXPECT_EQ(format_rfc5424(r), "<14>1 - - - - - -");

  r.unix_us = 0;
  r.hostname = "my host\n";  // SP and LF are not PRINTUSASCII
  std::string app(60, 'a');  // APP-NAME is at most 48
  r.app_name = app;
  r.msgid = "m\xc3\xa9";  // non-ASCII
  std::string out = format_rfc5424(r);
  EXPECT_EQ(out, "<14>1 1970-01-01T00:00:00.000000Z my_host_ " + std::string(48, 'a') + " - m__ -");
}

TEST(SyslogFormat, SdParamEscaping) {
  EXPECT_EQ(sd_escape("plain"), "plain");
  EXPECT_EQ(sd_escape("a\"b\\c]d"), "a\\\"b\\\\c\\]d");
  EXPECT_EQ(sd_escape("[x=y]"), "[x=y\\]");
  EXPECT_EQ(sd_escape(""), "");
}

TEST(SyslogFormat, OctetCountingFrame) {
  EXPECT_EQ(frame_octet_counted("abc"), "3 abc");
  EXPECT_EQ(frame_octet_counted(std::string(1234, 'x')), "1234 " + std::string(1234, 'x'));
  EXPECT_EQ(frame_octet_counted("h\xc3\xa9"), "3 h\xc3\xa9");  // octets, not characters
}

TEST(SyslogFormat, TruncatesMsgAtUtf8Boundary) {
  SyslogRecord r;
  r.unix_us = 0;
  r.msgid = "x";
  std::string msg;
  for (int i = 0; i < 1000; ++i) msg += "\xc3\xa9";  // é, two octets each
  r.msg = msg;
  for (size_t max : {480u, 481u, 482u, 483u, 8192u}) {
    std::string out = format_rfc5424(r, max);
    ASSERT_LE(out.size(), max);
    size_t body = out.find(" x - ") + 5;  // MSGID x, SD "-", then MSG
    ASSERT_LT(body, out.size());
    size_t msg_octets = out.size() - body;
    EXPECT_EQ(msg_octets % 2, 0u) << "cut inside a character at max " << max;
    EXPECT_TRUE(out.compare(body, std::string::npos, msg, 0, msg_octets) == 0);
    if (max == 8192) {
      EXPECT_EQ(msg_octets, msg.size());
    } else {
      EXPECT_GE(msg_octets + 1, max - body);  // nothing lost but the half character
    }
  }
}

TEST(SyslogFormat, OversizedSdBecomesNil) {
  SyslogRecord r;
  r.unix_us = 0;
  std::string sd = "[big@32473 v=\"" + std::string(600, 'v') + "\"]";
  r.structured_data = sd;
  r.msg = "hello";
  std::string out = format_rfc5424(r, 480);
  EXPECT_LE(out.size(), 480u);
  EXPECT_EQ(out, "<110>1 1970-01-01T00:00:00.000000Z - - - - - hello");
  EXPECT_EQ(format_rfc5424(r).find(sd) != std::string::npos, true);  // no limit: kept
}

TEST(SyslogFormat, EventStructuredData) {
  guard::Event e;
  e.reason = guard::Reason::kTeidUnknown;
  e.action = guard::Action::kDrop;
  e.ue = ip("10.45.0.7");
  e.src = ip("10.45.0.7");
  e.dst = ip("2001:db8::1");
  EXPECT_EQ(event_structured_data(e),
            "[mecguard@32473 reason=\"teid_unknown\" action=\"drop\" stage=\"teid\" ue=\"10.45.0.7\" "
            "src=\"10.45.0.7\" dst=\"2001:db8::1\"]");

  guard::Event bare;  // no addresses: those parameters are left out
  bare.reason = guard::Reason::kFrameMalformed;
  bare.action = guard::Action::kAlert;
  EXPECT_EQ(event_structured_data(bare),
            "[mecguard@32473 reason=\"frame_malformed\" action=\"alert\" stage=\"decode\"]");
}

TEST(SyslogFormat, EventSeverity) {
  guard::Event e;
  e.reason = guard::Reason::kTeidUnknown;  // high
  EXPECT_EQ(event_severity(e), 3);
  e.reason = guard::Reason::kN4ForeignSeid;  // critical
  EXPECT_EQ(event_severity(e), 2);
  e.reason = guard::Reason::kAclLogged;  // info
  EXPECT_EQ(event_severity(e), 6);
  e.reason = guard::Reason::kFrameMalformed;  // low
  EXPECT_EQ(event_severity(e), 5);
  e.reason = guard::Reason::kQuarantineChanged;  // info in the table, raised to warning
  EXPECT_EQ(event_severity(e), 4);
}

// ---- options ------------------------------------------------------------------------------

ErrorCode start_error(const SyslogOptions& o) {
  auto s = SyslogSink::start(o);
  if (s) {
    ADD_FAILURE() << "options accepted";
    return ErrorCode::kInternal;
  }
  return s.error().code;
}

TEST(SyslogOptions, InvalidOptionsAreRejected) {
  SyslogOptions o;
  o.transport = Transport::kTls;  // verify_peer without ca_file
  EXPECT_EQ(start_error(o), ErrorCode::kValidation);
  o.cert_file = "/nonexistent/c.pem";  // cert without key
  o.ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(start_error(o), ErrorCode::kValidation);
  o.cert_file.clear();
  EXPECT_EQ(start_error(o), ErrorCode::kIo);  // the CA file cannot be loaded

  SyslogOptions u;
  u.ca_file = "/etc/ssl/certs/ca-certificates.crt";  // TLS settings on UDP
  EXPECT_EQ(start_error(u), ErrorCode::kValidation);

  auto bad = [](auto mutate) {
    SyslogOptions x;
    mutate(x);
    return start_error(x);
  };
  EXPECT_EQ(bad([](SyslogOptions& x) { x.facility = 24; }), ErrorCode::kValidation);
  EXPECT_EQ(bad([](SyslogOptions& x) { x.facility = -1; }), ErrorCode::kValidation);
  EXPECT_EQ(bad([](SyslogOptions& x) { x.queue_capacity = 0; }), ErrorCode::kValidation);
  EXPECT_EQ(bad([](SyslogOptions& x) { x.queue_capacity = 1; }), ErrorCode::kValidation);
  EXPECT_EQ(bad([](SyslogOptions& x) { x.host.clear(); }), ErrorCode::kValidation);
  EXPECT_EQ(bad([](SyslogOptions& x) { x.app_name = "mec guard"; }), ErrorCode::kValidation);
  EXPECT_EQ(bad([](SyslogOptions& x) { x.app_name = std::string(49, 'a'); }), ErrorCode::kValidation);
  EXPECT_EQ(bad([](SyslogOptions& x) { x.hostname = "a b"; }), ErrorCode::kValidation);
  EXPECT_EQ(bad([](SyslogOptions& x) { x.max_message_bytes = 100; }), ErrorCode::kValidation);
  EXPECT_EQ(bad([](SyslogOptions& x) { x.reconnect_min_ms = 0; }), ErrorCode::kValidation);
  EXPECT_EQ(bad([](SyslogOptions& x) {
              x.reconnect_min_ms = 500;
              x.reconnect_max_ms = 100;
            }),
            ErrorCode::kValidation);
}

TEST(SyslogOptions, ValidOptionsStartWithoutAServer) {
  SyslogOptions o;
  o.transport = Transport::kTls;
  o.ca_file = "/etc/ssl/certs/ca-certificates.crt";
  o.port = 1;  // nothing listens there; start does not care
  auto s = SyslogSink::start(o);
  ASSERT_TRUE(s) << s.error().to_string();
  (*s)->stop(0ms);
  EXPECT_FALSE((*s)->stats().connected);
}

// ---- small servers on 127.0.0.1 ------------------------------------------------------------

sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

uint16_t bound_port(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

// A port with nothing listening (bound and released; nothing else binds it in the meantime
// on a test machine, and if something did the sink would connect and the test would fail).
uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = loopback(0);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  uint16_t p = bound_port(fd);
  ::close(fd);
  return p;
}

class UdpReceiver {
 public:
  UdpReceiver() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a = loopback(0);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  ~UdpReceiver() { ::close(fd_); }
  uint16_t port() const { return bound_port(fd_); }
  // One datagram, or "" after timeout_ms.
  std::string receive(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return {};
    std::string buf(70000, '\0');
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    buf.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return buf;
  }

 private:
  int fd_ = -1;
};

class TcpServer {
 public:
  explicit TcpServer(uint16_t port = 0) {
    lfd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(lfd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a = loopback(port);
    ok_ = ::bind(lfd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(lfd_, 8) == 0;
  }
  ~TcpServer() {
    close_connection();
    if (lfd_ >= 0) ::close(lfd_);
  }
  bool ok() const { return ok_; }
  uint16_t port() const { return bound_port(lfd_); }
  bool accept(int timeout_ms) {
    pollfd p{lfd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return false;
    close_connection();
    cfd_ = ::accept(lfd_, nullptr, nullptr);
    buf_.clear();
    return cfd_ >= 0;
  }
  void close_connection() {
    if (cfd_ >= 0) ::close(cfd_);
    cfd_ = -1;
  }
  void close_listener() {
    ::close(lfd_);
    lfd_ = -1;
  }
  // Reads octet-counted frames ("LEN SP MSG") until n are complete or timeout_ms passes;
  // a malformed frame is a test failure.
  std::vector<std::string> read_frames(size_t n, int timeout_ms) {
    std::vector<std::string> out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (out.size() < n) {
      if (parse_one(out)) continue;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || cfd_ < 0) break;
      pollfd p{cfd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) != 1) break;
      char chunk[65536];
      ssize_t r = ::recv(cfd_, chunk, sizeof chunk, 0);
      if (r <= 0) break;
      buf_.append(chunk, static_cast<size_t>(r));
    }
    return out;
  }

 private:
  bool parse_one(std::vector<std::string>& out) {
    size_t sp = buf_.find(' ');
    if (sp == std::string::npos) return false;
    std::string len_text = buf_.substr(0, sp);
    bool digits = !len_text.empty() && len_text.size() <= 6 && len_text[0] != '0' &&
                  len_text.find_first_not_of("0123456789") == std::string::npos;
    if (!digits) {
      ADD_FAILURE() << "bad octet count '" << len_text << "'";
      buf_.clear();
      return false;
    }
    size_t len = std::stoul(len_text);
    if (buf_.size() < sp + 1 + len) return false;
    out.push_back(buf_.substr(sp + 1, len));
    buf_.erase(0, sp + 1 + len);
    return true;
  }

  int lfd_ = -1;
  int cfd_ = -1;
  bool ok_ = false;
  std::string buf_;
};

SyslogOptions options(Transport t, uint16_t port) {
  SyslogOptions o;
  o.transport = t;
  o.port = port;
  o.hostname = "gw-test";
  o.reconnect_min_ms = 10;
  o.reconnect_max_ms = 200;
  o.io_timeout_ms = 2000;
  return o;
}

// ---- the queue bound ------------------------------------------------------------------------

TEST(SyslogSink, FullQueueDropsAndCountsWithoutAServer) {
  SyslogOptions o = options(Transport::kTcp, closed_port());
  o.queue_capacity = 8;
  auto s = SyslogSink::start(o);
  ASSERT_TRUE(s) << s.error().to_string();
  SyslogSink& sink = **s;
  int accepted = 0;
  for (int i = 0; i < 500; ++i) accepted += sink.submit(5, "test", "", "message " + std::to_string(i)) ? 1 : 0;
  SyslogSink::Stats st = sink.stats();
  EXPECT_EQ(st.submitted, static_cast<uint64_t>(accepted));
  EXPECT_EQ(st.submitted + st.dropped, 500u);
  EXPECT_LE(st.submitted, 9u);  // the queue, plus the one message the sender holds
  EXPECT_GE(st.submitted, 8u);
  EXPECT_EQ(st.sent, 0u);
  EXPECT_FALSE(st.connected);
  sink.stop(50ms);
  st = sink.stats();
  EXPECT_EQ(st.failed, st.submitted);  // undeliverable: nobody listens
  EXPECT_FALSE(sink.last_error().empty());
  EXPECT_FALSE(sink.submit(5, "late", "", "after stop"));  // refused after stop, counted
  EXPECT_EQ(sink.stats().dropped, 500u - st.submitted + 1);
}

TEST(SyslogSink, SmallestQueueHoldsTwo) {
  SyslogOptions o = options(Transport::kTcp, closed_port());
  o.queue_capacity = 2;
  auto s = SyslogSink::start(o);
  ASSERT_TRUE(s) << s.error().to_string();
  for (int i = 0; i < 10; ++i) (*s)->submit(5, "test", "", "m");
  SyslogSink::Stats st = (*s)->stats();
  EXPECT_GE(st.submitted, 2u);
  EXPECT_LE(st.submitted, 3u);
  EXPECT_EQ(st.submitted + st.dropped, 10u);
  (*s)->stop(0ms);
  EXPECT_EQ((*s)->stats().failed, st.submitted);
}

TEST(SyslogSink, QueueByteBoundDrops) {
  SyslogOptions o = options(Transport::kTcp, closed_port());
  o.max_message_bytes = 1024;
  o.queue_max_bytes = 4096;
  auto s = SyslogSink::start(o);
  ASSERT_TRUE(s) << s.error().to_string();
  std::string msg(900, 'm');
  for (int i = 0; i < 50; ++i) (*s)->submit(5, "test", "", msg);
  SyslogSink::Stats st = (*s)->stats();
  EXPECT_LE(st.submitted, 5u);  // ~1 KiB each under a 4 KiB bound (+1 held by the sender)
  EXPECT_GE(st.submitted, 4u);
  EXPECT_EQ(st.submitted + st.dropped, 50u);
  (*s)->stop(0ms);
}

// ---- live delivery ------------------------------------------------------------------------

TEST(SyslogSink, UdpDatagramsArrive) {
  UdpReceiver rx;
  SyslogOptions o = options(Transport::kUdp, rx.port());
  o.facility = 4;
  auto s = SyslogSink::start(o);
  ASSERT_TRUE(s) << s.error().to_string();
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE((*s)->submit(i % 8, "id" + std::to_string(i), "", "message " + std::to_string(i)));
  }
  for (int i = 0; i < 10; ++i) {
    std::string d = rx.receive(5000);
    ASSERT_FALSE(d.empty()) << "datagram " << i << " did not arrive";
    std::string pri = "<" + std::to_string(4 * 8 + i % 8) + ">1 ";
    EXPECT_EQ(d.substr(0, pri.size()), pri);
    std::string tail = " gw-test mecguard " + std::to_string(::getpid()) + " id" + std::to_string(i) +
                       " - message " + std::to_string(i);
    ASSERT_GE(d.size(), tail.size());
    EXPECT_EQ(d.substr(d.size() - tail.size()), tail) << d;
  }
  (*s)->stop(2000ms);
  SyslogSink::Stats st = (*s)->stats();
  EXPECT_EQ(st.sent, 10u);
  EXPECT_EQ(st.failed, 0u);
  EXPECT_EQ(st.dropped, 0u);
}

TEST(SyslogSink, UdpTruncatesToMaxMessageBytes) {
  UdpReceiver rx;
  SyslogOptions o = options(Transport::kUdp, rx.port());
  o.max_message_bytes = 600;
  auto s = SyslogSink::start(o);
  ASSERT_TRUE(s) << s.error().to_string();
  (*s)->submit(6, "big", "", std::string(5000, 'b'));
  std::string d = rx.receive(5000);
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d.size(), 600u);
  EXPECT_EQ(d.back(), 'b');
  (*s)->stop(1000ms);
}

TEST(SyslogSink, TcpOctetCountedFramesArriveAndStopDrains) {
  TcpServer server;
  ASSERT_TRUE(server.ok());
  auto s = SyslogSink::start(options(Transport::kTcp, server.port()));
  ASSERT_TRUE(s) << s.error().to_string();
  constexpr size_t kCount = 2000;
  for (size_t i = 0; i < kCount; ++i) {
    ASSERT_TRUE((*s)->submit(4, "drain", "[t@32473 i=\"" + std::to_string(i) + "\"]", "m" + std::to_string(i)));
  }
  // stop() blocks while it drains, so the server reads on another thread.
  std::vector<std::string> frames;
  std::thread reader([&server, &frames] {
    if (server.accept(5000)) frames = server.read_frames(kCount, 15000);
  });
  (*s)->stop(15000ms);
  reader.join();
  SyslogSink::Stats st = (*s)->stats();
  EXPECT_EQ(st.sent, kCount);
  EXPECT_EQ(st.failed, 0u);
  ASSERT_EQ(frames.size(), kCount);
  for (size_t i = 0; i < kCount; ++i) {
    std::string tail = "drain [t@32473 i=\"" + std::to_string(i) + "\"] m" + std::to_string(i);
    ASSERT_GE(frames[i].size(), tail.size());
    EXPECT_EQ(frames[i].substr(frames[i].size() - tail.size()), tail);
    EXPECT_EQ(frames[i].substr(0, 7), "<108>1 ");
  }
}

TEST(SyslogSink, ConcurrentProducersLoseNothing) {
  TcpServer server;
  ASSERT_TRUE(server.ok());
  auto s = SyslogSink::start(options(Transport::kTcp, server.port()));
  ASSERT_TRUE(s) << s.error().to_string();
  constexpr int kThreads = 4, kEach = 500;
  std::vector<std::string> frames;
  std::thread reader([&server, &frames] {
    if (server.accept(5000)) frames = server.read_frames(kThreads * kEach, 15000);
  });
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t) {
    producers.emplace_back([&s, t] {
      for (int i = 0; i < kEach; ++i) (*s)->submit(5, "p" + std::to_string(t), "", std::to_string(i));
    });
  }
  for (auto& p : producers) p.join();
  (*s)->stop(15000ms);
  reader.join();
  ASSERT_EQ(frames.size(), static_cast<size_t>(kThreads * kEach));
  // Per producer, messages arrive complete and in the order it submitted them.
  std::vector<int> next(kThreads, 0);
  for (const std::string& f : frames) {
    size_t p = f.find(" p");
    ASSERT_NE(p, std::string::npos) << f;
    int t = f[p + 2] - '0';
    ASSERT_TRUE(t >= 0 && t < kThreads) << f;
    EXPECT_EQ(f.substr(f.rfind(' ') + 1), std::to_string(next[static_cast<size_t>(t)]++)) << f;
  }
  EXPECT_EQ((*s)->stats().sent, static_cast<uint64_t>(kThreads * kEach));
}

TEST(SyslogSink, TcpReconnectsAfterServerRestart) {
  auto server = std::make_unique<TcpServer>();
  ASSERT_TRUE(server->ok());
  uint16_t port = server->port();
  auto s = SyslogSink::start(options(Transport::kTcp, port));
  ASSERT_TRUE(s) << s.error().to_string();
  SyslogSink& sink = **s;
  ASSERT_TRUE(sink.submit(5, "one", "", "first"));
  ASSERT_TRUE(server->accept(5000));
  auto got = server->read_frames(1, 5000);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NE(got[0].find(" one - first"), std::string::npos);
  EXPECT_TRUE(sink.stats().connected);

  server.reset();  // the server goes away: connection and listener closed
  ASSERT_TRUE(sink.submit(5, "two", "", "second"));
  // The sink notices the closed connection and retries (refused) with backoff.
  for (int i = 0; i < 200 && sink.stats().connected; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(sink.stats().connected);
  ASSERT_TRUE(sink.submit(5, "three", "", "third"));

  server = std::make_unique<TcpServer>(port);  // restarted on the same port
  ASSERT_TRUE(server->ok());
  ASSERT_TRUE(server->accept(5000));
  got = server->read_frames(2, 5000);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_NE(got[0].find(" two - second"), std::string::npos);
  EXPECT_NE(got[1].find(" three - third"), std::string::npos);
  sink.stop(2000ms);
  SyslogSink::Stats st = sink.stats();
  EXPECT_GE(st.reconnects, 1u);
  EXPECT_EQ(st.sent, 3u);
  EXPECT_EQ(st.failed, 0u);
}

TEST(SyslogSink, StopDeliversToALateServer) {
  // Nothing listens when messages are queued; the server comes up during the drain.
  uint16_t port = closed_port();
  auto s = SyslogSink::start(options(Transport::kTcp, port));
  ASSERT_TRUE(s) << s.error().to_string();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE((*s)->submit(5, "late", "", std::to_string(i)));
  std::vector<std::string> frames;
  std::thread server_thread([port, &frames] {
    std::this_thread::sleep_for(300ms);
    TcpServer server(port);
    if (server.ok() && server.accept(5000)) frames = server.read_frames(20, 5000);
  });
  (*s)->stop(8000ms);
  server_thread.join();
  EXPECT_EQ(frames.size(), 20u);
  EXPECT_EQ((*s)->stats().sent, 20u);
  EXPECT_EQ((*s)->stats().failed, 0u);
}

TEST(SyslogSink, SubmitEventCarriesSeverityMsgidSdAndJson) {
  UdpReceiver rx;
  auto s = SyslogSink::start(options(Transport::kUdp, rx.port()));
  ASSERT_TRUE(s) << s.error().to_string();
  guard::Event e;
  e.reason = guard::Reason::kUeSrcSpoofed;
  e.action = guard::Action::kDrop;
  e.src = ip("10.45.0.99");
  e.dst = ip("8.8.8.8");
  std::string json = guard::EventSink::to_json(e, 1, 7, 7, 100, 100);
  ASSERT_TRUE((*s)->submit_event(e, json));
  std::string d = rx.receive(5000);
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d.substr(0, 7), "<107>1 ");  // log audit (13), error (3: high)
  std::string tail = " ue_src_spoofed [mecguard@32473 reason=\"ue_src_spoofed\" action=\"drop\" "
                     "stage=\"anti_spoof\" src=\"10.45.0.99\" dst=\"8.8.8.8\"] " + json;
  ASSERT_GE(d.size(), tail.size());
  EXPECT_EQ(d.substr(d.size() - tail.size()), tail) << d;
  (*s)->stop(1000ms);
}

}  // namespace
}  // namespace mecguard::manage
