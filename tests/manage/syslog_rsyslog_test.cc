// The syslog sink against a real rsyslogd (tests/tools/rsyslog_lab.sh): guard events go out
// over UDP, TCP (octet counting) and TLS (verified against the lab's CA, by IP and by name,
// with and without a client certificate), and every received message must pass the strict
// RFC 5424 checker (tests/tools/rfc5424_check.py --mecguard). If rsyslogd cannot run, these
// tests fail: they never skip.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "guard/events.h"
#include "manage/syslog.h"

namespace mecguard::manage {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kSrc = MECGUARD_SOURCE_DIR;

// Runs a shell command; returns its exit status and, in *out, its stdout+stderr.
int run(const std::string& cmd, std::string* out) {
  std::FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class RsyslogLab : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/mg-rsyslog-XXXXXX";
    if (!::mkdtemp(tmpl)) return;
    dir_ = tmpl;
    std::string out;
    int rc = run("timeout 60 bash " + kSrc + "/tests/tools/rsyslog_lab.sh start " + dir_.string(), &out);
    start_output_ = out;
    if (rc != 0) return;
    std::ifstream env(dir_ / "ports.env");
    std::string line;
    while (std::getline(env, line)) {
      auto eq = line.find('=');
      if (eq == std::string::npos) continue;
      int v = std::atoi(line.c_str() + eq + 1);
      std::string k = line.substr(0, eq);
      if (k == "UDP_PORT") udp_ = static_cast<uint16_t>(v);
      if (k == "TCP_PORT") tcp_ = static_cast<uint16_t>(v);
      if (k == "TLS_PORT") tls_ = static_cast<uint16_t>(v);
    }
    up_ = udp_ != 0 && tcp_ != 0 && tls_ != 0;
  }
  static void TearDownTestSuite() {
    if (dir_.empty()) return;
    std::string out;
    run("timeout 30 bash " + kSrc + "/tests/tools/rsyslog_lab.sh stop " + dir_.string(), &out);
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
  }
  void SetUp() override {
    ASSERT_TRUE(up_) << "rsyslogd lab did not start in " << dir_ << ":\n" << start_output_;
  }

  // The events of one run: varied reasons, actions and address families, one per frame.
  static std::vector<guard::Event> events(size_t n) {
    static const guard::Reason kReasons[] = {
        guard::Reason::kTeidUnknown, guard::Reason::kUeSrcSpoofed, guard::Reason::kAclDenied,
        guard::Reason::kQuarantineChanged, guard::Reason::kN4ForeignSeid, guard::Reason::kInterUeRedirected,
        guard::Reason::kFrameMalformed};
    std::vector<guard::Event> out;
    for (size_t i = 0; i < n; ++i) {
      guard::Event e;
      e.ts_ns = 1'700'000'000'000'000'000ull + i;
      e.frame = i + 1;
      e.reason = kReasons[i % std::size(kReasons)];
      e.action = i % 3 == 0 ? guard::Action::kDrop : i % 3 == 1 ? guard::Action::kAlert : guard::Action::kRedirect;
      e.monitored = i % 3 == 1;
      if (i % 4 != 3) e.ue = *IpAddr::parse(i % 2 ? "2001:db8:45::7" : "10.45.0.7");
      if (i % 5 != 4) e.src = *IpAddr::parse("10.45.0.7");
      if (i % 2 == 0) e.dst = *IpAddr::parse("198.51.100.20");
      if (e.reason == guard::Reason::kQuarantineChanged) e.detail = "added";
      out.push_back(e);
    }
    return out;
  }

  // Sends n events through a sink with these options and waits for rsyslogd to have written
  // them to `file`; the new lines go to a file of their own, which is returned.
  fs::path send_and_collect(SyslogOptions o, const std::string& file, size_t n, const std::string& name) {
    fs::path log = dir_ / file;
    std::string before = read_file(log);
    o.host = "127.0.0.1";
    o.hostname = "gw-rsyslog-test";
    o.reconnect_min_ms = 20;
    o.reconnect_max_ms = 500;
    auto s = SyslogSink::start(o);
    EXPECT_TRUE(s) << s.error().to_string();
    if (!s) return {};
    std::vector<guard::Event> evs = events(n);
    for (const guard::Event& e : evs) {
      std::string json = guard::EventSink::to_json(e, 1, e.frame, e.frame, e.ts_ns, e.ts_ns);
      EXPECT_TRUE((*s)->submit_event(e, json));
      // UDP has no flow control: pace it so that the receiver's socket buffer never overflows.
      if (o.transport == SyslogOptions::Transport::kUdp) std::this_thread::sleep_for(1ms);
    }
    (*s)->stop(10000ms);
    SyslogSink::Stats st = (*s)->stats();
    EXPECT_EQ(st.sent, n) << (*s)->last_error();
    EXPECT_EQ(st.failed, 0u);
    EXPECT_EQ(st.dropped, 0u);
    std::string now;
    size_t want = static_cast<size_t>(std::count(before.begin(), before.end(), '\n')) + n;
    for (int i = 0; i < 100; ++i) {  // rsyslogd writes asynchronously: up to 10 s
      now = read_file(log);
      if (static_cast<size_t>(std::count(now.begin(), now.end(), '\n')) >= want) break;
      std::this_thread::sleep_for(100ms);
    }
    fs::path mine = dir_ / (name + ".log");
    std::ofstream(mine, std::ios::binary) << now.substr(std::min(before.size(), now.size()));
    return mine;
  }

  // The checker's verdict on a file of n messages, and their order and priorities.
  static void check(const fs::path& file, size_t n) {
    std::string out;
    int rc = run("/usr/bin/python3 " + kSrc + "/tests/tools/rfc5424_check.py --mecguard --app-name mecguard --expect " +
                     std::to_string(n) + " " + file.string(),
                 &out);
    EXPECT_EQ(rc, 0) << out;
    std::vector<guard::Event> evs = events(n);
    std::istringstream lines(read_file(file));
    std::string line;
    for (size_t i = 0; i < n && std::getline(lines, line); ++i) {
      std::string pri = "<" + std::to_string(13 * 8 + event_severity(evs[i])) + ">1 ";
      EXPECT_EQ(line.substr(0, pri.size()), pri) << line;
      EXPECT_NE(line.find("\"frame\":" + std::to_string(i + 1) + ","), std::string::npos)
          << "message " << i << " out of order or lost: " << line;
      EXPECT_NE(line.find(" gw-rsyslog-test mecguard "), std::string::npos) << line;
    }
  }

  static fs::path dir_;
  static std::string start_output_;
  static uint16_t udp_, tcp_, tls_;
  static bool up_;
};

fs::path RsyslogLab::dir_;
std::string RsyslogLab::start_output_;
uint16_t RsyslogLab::udp_ = 0, RsyslogLab::tcp_ = 0, RsyslogLab::tls_ = 0;
bool RsyslogLab::up_ = false;

TEST_F(RsyslogLab, CheckerRejectsBrokenMessages) {
  std::string out;
  EXPECT_EQ(run("/usr/bin/python3 " + kSrc + "/tests/tools/rfc5424_check.py --self-test", &out), 0) << out;
  fs::path bad = dir_ / "bad.log";
  std::ofstream(bad) << "<13>1 2024-01-01T00:00:00Z h app - id [x@1 a=\"]\"] m\n";  // unescaped ]
  out.clear();
  EXPECT_EQ(run("/usr/bin/python3 " + kSrc + "/tests/tools/rfc5424_check.py " + bad.string(), &out), 1) << out;
}

TEST_F(RsyslogLab, Udp) {
  SyslogOptions o;
  o.transport = SyslogOptions::Transport::kUdp;
  o.port = udp_;
  check(send_and_collect(o, "udp.log", 50, "udp"), 50);
}

TEST_F(RsyslogLab, Tcp) {
  SyslogOptions o;
  o.transport = SyslogOptions::Transport::kTcp;
  o.port = tcp_;
  check(send_and_collect(o, "tcp.log", 500, "tcp"), 500);
}

TEST_F(RsyslogLab, TlsVerifiedByIpAddress) {
  SyslogOptions o;
  o.transport = SyslogOptions::Transport::kTls;
  o.port = tls_;
  o.ca_file = (dir_ / "ca.pem").string();  // server_name defaults to host 127.0.0.1: IP SAN
  check(send_and_collect(o, "tls.log", 300, "tls_ip"), 300);
}

TEST_F(RsyslogLab, TlsVerifiedByNameWithClientCertificate) {
  SyslogOptions o;
  o.transport = SyslogOptions::Transport::kTls;
  o.port = tls_;
  o.ca_file = (dir_ / "ca.pem").string();
  o.server_name = "localhost";  // DNS SAN
  o.cert_file = (dir_ / "client.pem").string();
  o.key_file = (dir_ / "client.key").string();
  check(send_and_collect(o, "tls.log", 40, "tls_name"), 40);
}

TEST_F(RsyslogLab, TlsRefusesAServerWithTheWrongName) {
  SyslogOptions o;
  o.transport = SyslogOptions::Transport::kTls;
  o.host = "127.0.0.1";
  o.port = tls_;
  o.ca_file = (dir_ / "ca.pem").string();
  o.server_name = "not-the-server.example";
  o.reconnect_min_ms = 20;
  auto s = SyslogSink::start(o);
  ASSERT_TRUE(s) << s.error().to_string();
  guard::Event e = events(1)[0];
  EXPECT_TRUE((*s)->submit_event(e, guard::EventSink::to_json(e, 1, 1, 1, 0, 0)));
  (*s)->stop(500ms);
  SyslogSink::Stats st = (*s)->stats();
  EXPECT_EQ(st.sent, 0u);
  EXPECT_EQ(st.failed, 1u);
  EXPECT_FALSE(st.connected);
  EXPECT_NE((*s)->last_error().find("verif"), std::string::npos) << (*s)->last_error();
}

TEST_F(RsyslogLab, TlsRefusesAServerFromAnotherCa) {
  // The system CA bundle does not contain the lab's throwaway CA.
  SyslogOptions o;
  o.transport = SyslogOptions::Transport::kTls;
  o.host = "127.0.0.1";
  o.port = tls_;
  o.ca_file = "/etc/ssl/certs/ca-certificates.crt";
  auto s = SyslogSink::start(o);
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_TRUE((*s)->submit(5, "x", "", "never delivered"));
  (*s)->stop(500ms);
  EXPECT_EQ((*s)->stats().sent, 0u);
  EXPECT_EQ((*s)->stats().failed, 1u);
}

}  // namespace
}  // namespace mecguard::manage
