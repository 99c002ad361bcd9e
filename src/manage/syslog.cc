// SyslogSink and the RFC 5424 formatting functions (see syslog.h). The queue is a bounded
// lock-free ring (Vyukov's sequence-numbered MPMC design, written here) so that submit()
// never waits; one sender thread owns the socket (and the TLS session), and is the only
// code that blocks, always with poll timeouts.
#include "manage/syslog.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

namespace mecguard::manage {

namespace {

using Clock = std::chrono::steady_clock;

bool printusascii(char c) { return c >= 33 && c <= 126; }

// A header field: printable US-ASCII, at most max characters, "-" when empty.
void append_header_field(std::string& out, std::string_view v, size_t max) {
  if (v.empty()) {
    out += '-';
    return;
  }
  size_t n = std::min(v.size(), max);
  for (size_t i = 0; i < n; ++i) out += printusascii(v[i]) ? v[i] : '_';
}

// The longest prefix of s no longer than max that does not end inside a UTF-8 sequence.
size_t utf8_cut(std::string_view s, size_t max) {
  if (s.size() <= max) return s.size();
  size_t n = max;
  // Back up over continuation bytes (10xxxxxx) to the lead byte, then drop that lead byte
  // too: the character starting there does not fit.
  size_t back = 0;
  while (n > 0 && back < 4 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) {
    --n;
    ++back;
  }
  return n;
}

std::string openssl_error(std::string_view what) {
  std::string out(what);
  unsigned long e = 0;
  int guard = 0;
  while ((e = ERR_get_error()) != 0 && guard++ < 8) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += ": ";
    out += buf;
  }
  return out;
}

std::string local_hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return {};
  return std::string(buf);
}

bool is_ip_literal(const std::string& s) {
  in6_addr a6{};
  in_addr a4{};
  return inet_pton(AF_INET, s.c_str(), &a4) == 1 || inet_pton(AF_INET6, s.c_str(), &a6) == 1;
}

int64_t now_unix_us() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

// Bounded multi-producer multi-consumer ring of strings (capacity >= 2). Each slot carries a sequence
// number telling whose turn it is: pos (free for the producer of pos), pos + 1 (filled for
// the consumer of pos). Producers and the consumer never wait for each other.
class Ring {
 public:
  explicit Ring(size_t capacity) : cap_(capacity), slots_(new Slot[capacity]) {
    for (size_t i = 0; i < cap_; ++i) slots_[i].seq.store(i, std::memory_order_relaxed);
  }
  bool try_push(std::string& v) {
    uint64_t pos = head_.load(std::memory_order_relaxed);
    for (;;) {
      Slot& s = slots_[pos % cap_];
      uint64_t seq = s.seq.load(std::memory_order_acquire);
      if (seq == pos) {
        if (head_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          s.value = std::move(v);
          s.seq.store(pos + 1, std::memory_order_release);
          return true;
        }
      } else if (seq < pos) {
        return false;  // the slot still holds the value from one lap ago: full
      } else {
        pos = head_.load(std::memory_order_relaxed);
      }
    }
  }
  // A hint for the consumer about to sleep: a producer has claimed a slot not yet taken.
  bool maybe_nonempty() const {
    return head_.load(std::memory_order_acquire) != tail_.load(std::memory_order_acquire);
  }
  bool try_pop(std::string& out) {
    uint64_t pos = tail_.load(std::memory_order_relaxed);
    for (;;) {
      Slot& s = slots_[pos % cap_];
      uint64_t seq = s.seq.load(std::memory_order_acquire);
      if (seq == pos + 1) {
        if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          out = std::move(s.value);
          s.value = std::string();
          s.seq.store(pos + cap_, std::memory_order_release);
          return true;
        }
      } else if (seq < pos + 1) {
        return false;  // empty
      } else {
        pos = tail_.load(std::memory_order_relaxed);
      }
    }
  }

 private:
  struct Slot {
    std::atomic<uint64_t> seq{0};
    std::string value;
  };
  size_t cap_;
  std::unique_ptr<Slot[]> slots_;
  alignas(64) std::atomic<uint64_t> head_{0};  // next position to fill
  alignas(64) std::atomic<uint64_t> tail_{0};
};

}  // namespace

// ---- formatting -------------------------------------------------------------------------

std::string rfc3339_utc_us(int64_t unix_us) {
  int64_t secs = unix_us / 1'000'000;
  int64_t frac = unix_us % 1'000'000;
  if (frac < 0) {
    frac += 1'000'000;
    --secs;
  }
  time_t t = static_cast<time_t>(secs);
  tm utc{};
  gmtime_r(&t, &utc);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(frac));
  return buf;
}

std::string sd_escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += c;
  }
  return out;
}

std::string frame_octet_counted(std::string_view syslog_msg) {
  std::string out = std::to_string(syslog_msg.size());
  out += ' ';
  out += syslog_msg;
  return out;
}

std::string format_rfc5424(const SyslogRecord& r, size_t max_bytes) {
  int facility = std::clamp(r.facility, 0, 23);
  int severity = std::clamp(r.severity, 0, 7);
  std::string out;
  out.reserve(128 + r.structured_data.size() + r.msg.size());
  out += '<';
  out += std::to_string(facility * 8 + severity);
  out += ">1 ";
  if (r.unix_us < 0) {
    out += '-';
  } else {
    out += rfc3339_utc_us(r.unix_us);
  }
  out += ' ';
  append_header_field(out, r.hostname, 255);
  out += ' ';
  append_header_field(out, r.app_name, 48);
  out += ' ';
  append_header_field(out, r.procid, 128);
  out += ' ';
  append_header_field(out, r.msgid, 32);
  out += ' ';
  std::string_view sd = r.structured_data.empty() ? std::string_view("-") : r.structured_data;
  if (max_bytes > 0 && out.size() + sd.size() > max_bytes) sd = "-";
  out += sd;
  if (!r.msg.empty()) {
    size_t room = r.msg.size() + 1;
    if (max_bytes > 0) room = max_bytes > out.size() ? max_bytes - out.size() : 0;
    size_t n = room >= 2 ? utf8_cut(r.msg, room - 1) : 0;  // room for SP and n octets
    if (n > 0) {
      out += ' ';
      out.append(r.msg.substr(0, n));
    }
  }
  return out;
}

std::string event_structured_data(const guard::Event& e) {
  std::string out = "[";
  out += kSdId;
  auto param = [&out](std::string_view name, std::string_view value) {
    if (value.empty()) return;
    out += ' ';
    out += name;
    out += "=\"";
    out += sd_escape(value);
    out += '"';
  };
  param("reason", guard::reason_name(e.reason));
  param("action", guard::action_name(e.action));
  param("stage", guard::stage_name(guard::reason_stage(e.reason)));
  param("ue", e.ue.empty() ? std::string() : e.ue.to_string());
  param("src", e.src.empty() ? std::string() : e.src.to_string());
  param("dst", e.dst.empty() ? std::string() : e.dst.to_string());
  out += ']';
  return out;
}

int event_severity(const guard::Event& e) {
  if (e.reason == guard::Reason::kQuarantineChanged) return 4;
  return guard::syslog_severity(guard::reason_severity(e.reason));
}

// ---- the sink ---------------------------------------------------------------------------

struct SyslogSink::Impl {
  explicit Impl(const SyslogOptions& o) : opts(o), ring(o.queue_capacity) {}
  ~Impl() {
    close_conn();
    if (ctx) SSL_CTX_free(ctx);
  }

  SyslogOptions opts;
  std::string procid;
  SSL_CTX* ctx = nullptr;  // TLS only

  Ring ring;
  std::atomic<size_t> queued_bytes{0};
  std::atomic<bool> accepting{true};

  // The sender sleeps on cv when it has nothing to do; producers take mu only to wake it
  // (sender_idle), and the sender never holds mu across I/O.
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<bool> sender_idle{false};
  bool stopping = false;           // guarded by mu
  Clock::time_point drain_deadline;  // guarded by mu
  std::thread thread;
  std::once_flag stop_once;

  mutable std::mutex err_mu;
  std::string last_error;

  std::atomic<uint64_t> submitted{0}, sent{0}, dropped{0}, failed{0}, reconnects{0};
  std::atomic<bool> connected{false};
  uint64_t connections = 0;  // sender thread only

  int fd = -1;
  SSL* ssl = nullptr;

  void set_error(std::string e) {
    std::lock_guard<std::mutex> lk(err_mu);
    last_error = std::move(e);
  }

  bool push(std::string msg) {
    if (!accepting.load(std::memory_order_acquire)) {
      dropped.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    size_t n = msg.size();
    if (queued_bytes.fetch_add(n, std::memory_order_relaxed) + n > opts.queue_max_bytes) {
      queued_bytes.fetch_sub(n, std::memory_order_relaxed);
      dropped.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    submitted.fetch_add(1, std::memory_order_relaxed);  // before the sender can count it sent
    if (!ring.try_push(msg)) {
      submitted.fetch_sub(1, std::memory_order_relaxed);
      queued_bytes.fetch_sub(n, std::memory_order_relaxed);
      dropped.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (sender_idle.load(std::memory_order_relaxed)) {
      std::lock_guard<std::mutex> lk(mu);
      cv.notify_one();
    }
    return true;
  }

  bool pop(std::string& out) {
    if (!ring.try_pop(out)) return false;
    queued_bytes.fetch_sub(out.size(), std::memory_order_relaxed);
    return true;
  }

  // Milliseconds until the I/O at hand must give up: the I/O timeout, or the drain deadline
  // when stopping. 0 when it is already past.
  int io_budget_ms(Clock::time_point io_deadline) {
    Clock::time_point limit = io_deadline;
    {
      std::lock_guard<std::mutex> lk(mu);
      if (stopping) limit = std::min(limit, drain_deadline);
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(limit - Clock::now()).count();
    if (left <= 0) return 0;
    return static_cast<int>(std::min<int64_t>(left, 200));  // re-check stop every 200 ms
  }

  // Waits until fd is ready for events; false on timeout/error/stop deadline.
  bool wait_fd(short events, Clock::time_point io_deadline) {
    for (int rounds = 0; rounds < 100000; ++rounds) {
      int ms = io_budget_ms(io_deadline);
      if (ms <= 0) return false;
      pollfd p{fd, events, 0};
      int r = ::poll(&p, 1, ms);
      if (r < 0 && errno != EINTR) return false;
      if (r > 0) return (p.revents & (events | POLLERR | POLLHUP)) != 0;
    }
    return false;
  }

  void close_conn() {
    if (ssl) {
      SSL_shutdown(ssl);  // best effort close_notify; non-blocking socket, no wait
      SSL_free(ssl);
      ssl = nullptr;
    }
    if (fd >= 0) {
      ::close(fd);
      fd = -1;
    }
    connected.store(false, std::memory_order_relaxed);
  }

  // The end of a stream at stop: close_notify (TLS), then FIN, then read until the server
  // closes its side. Closing with unread input (a TLS 1.3 session ticket, say) would send a
  // RST instead, and a RST lets the receiving kernel discard what the server has not read
  // yet: the last messages would be lost although they were written.
  void graceful_close() {
    if (fd < 0 || opts.transport == SyslogOptions::Transport::kUdp) {
      close_conn();
      return;
    }
    Clock::time_point io_deadline = Clock::now() + std::chrono::milliseconds(opts.io_timeout_ms);
    if (ssl) {
      ERR_clear_error();
      for (int i = 0; i < 100 && SSL_shutdown(ssl) < 0; ++i) {
        int e = SSL_get_error(ssl, -1);
        if (e != SSL_ERROR_WANT_WRITE || !wait_fd(POLLOUT, io_deadline)) break;
      }
    }
    ::shutdown(fd, SHUT_WR);
    for (int rounds = 0; rounds < 100000; ++rounds) {
      if (!wait_fd(POLLIN, io_deadline)) break;
      char buf[4096];
      ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);  // raw bytes: TLS is done
      if (n == 0) break;
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) break;
    }
    if (ssl) {
      SSL_free(ssl);  // close_notify already sent; no second SSL_shutdown
      ssl = nullptr;
    }
    close_conn();
  }

  bool connect_tcp_or_udp(Clock::time_point io_deadline) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = opts.transport == SyslogOptions::Transport::kUdp ? SOCK_DGRAM : SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* res = nullptr;
    std::string port = std::to_string(opts.port);
    int rc = getaddrinfo(opts.host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0) {
      set_error("resolve " + opts.host + ": " + gai_strerror(rc));
      return false;
    }
    std::string err;
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
      fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
      if (fd < 0) {
        err = std::strerror(errno);
        continue;
      }
      if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
      if (errno == EINPROGRESS && wait_fd(POLLOUT, io_deadline)) {
        int so = 0;
        socklen_t len = sizeof so;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &len) == 0 && so == 0) break;
        err = std::strerror(so != 0 ? so : errno);
      } else {
        err = errno == EINPROGRESS ? "timeout" : std::strerror(errno);
      }
      ::close(fd);
      fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
      set_error("connect " + opts.host + ":" + port + ": " + err);
      return false;
    }
    if (hints.ai_socktype == SOCK_STREAM) {
      int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    }
    return true;
  }

  bool tls_handshake(Clock::time_point io_deadline) {
    ssl = SSL_new(ctx);
    if (!ssl || SSL_set_fd(ssl, fd) != 1) {
      set_error(openssl_error("SSL_new"));
      return false;
    }
    const std::string& name = opts.server_name.empty() ? opts.host : opts.server_name;
    bool ip = is_ip_literal(name);
    if (!ip) {  // SNI carries names only (SSL_set_tlsext_host_name without its C cast)
      SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(name.c_str()));
    }
    if (opts.verify_peer) {
      int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str())
                  : SSL_set1_host(ssl, name.c_str());
      if (ok != 1) {
        set_error(openssl_error("server name " + name));
        return false;
      }
    }
    for (int rounds = 0; rounds < 10000; ++rounds) {
      ERR_clear_error();
      int r = SSL_connect(ssl);
      if (r == 1) return true;
      int e = SSL_get_error(ssl, r);
      if (e == SSL_ERROR_WANT_READ && wait_fd(POLLIN, io_deadline)) continue;
      if (e == SSL_ERROR_WANT_WRITE && wait_fd(POLLOUT, io_deadline)) continue;
      std::string msg = "TLS handshake with " + opts.host;
      long vr = SSL_get_verify_result(ssl);
      if (vr != X509_V_OK) msg += std::string(": ") + X509_verify_cert_error_string(vr);
      set_error(openssl_error(msg));
      return false;
    }
    set_error("TLS handshake: too many rounds");
    return false;
  }

  bool connect() {
    Clock::time_point io_deadline = Clock::now() + std::chrono::milliseconds(opts.io_timeout_ms);
    if (!connect_tcp_or_udp(io_deadline)) return false;
    if (opts.transport == SyslogOptions::Transport::kTls && !tls_handshake(io_deadline)) {
      close_conn();
      return false;
    }
    if (connections++ > 0) reconnects.fetch_add(1, std::memory_order_relaxed);
    connected.store(true, std::memory_order_relaxed);
    return true;
  }

  // A syslog receiver never sends application data, so a readable stream socket means the
  // peer closed (or reset) it: find that out before writing into a dead connection. TLS
  // records such as TLS 1.3 session tickets are consumed and ignored.
  bool stream_alive() {
    if (opts.transport == SyslogOptions::Transport::kUdp) return true;
    for (int rounds = 0; rounds < 64; ++rounds) {
      pollfd p{fd, POLLIN, 0};
      int r = ::poll(&p, 1, 0);
      if (r == 0) return true;
      if (r < 0) return errno == EINTR;
      if (p.revents & (POLLERR | POLLNVAL)) return false;
      char buf[512];
      if (!ssl) {
        ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0) return false;
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        continue;  // unexpected data: ignore
      }
      ERR_clear_error();
      int n = SSL_read(ssl, buf, sizeof buf);
      if (n > 0) continue;
      int e = SSL_get_error(ssl, n);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return true;
      return false;  // close_notify, reset or protocol error
    }
    return true;
  }

  static void clear_pending_sigpipe() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    timespec zero{0, 0};
    for (int i = 0; i < 4 && sigtimedwait(&set, nullptr, &zero) == SIGPIPE; ++i) {
    }
  }

  // Writes one whole message (framed for streams); false: the connection is broken.
  bool send_all(const std::string& data) {
    Clock::time_point io_deadline = Clock::now() + std::chrono::milliseconds(opts.io_timeout_ms);
    if (opts.transport == SyslogOptions::Transport::kUdp) {
      for (int attempt = 0; attempt < 2; ++attempt) {
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n == static_cast<ssize_t>(data.size())) return true;
        // ECONNREFUSED reports an ICMP error for an earlier datagram: try this one again.
        if (n < 0 && errno == ECONNREFUSED) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_fd(POLLOUT, io_deadline)) continue;
        break;
      }
      set_error(std::string("udp send: ") + std::strerror(errno));
      return false;
    }
    size_t off = 0;
    for (int rounds = 0; off < data.size() && rounds < 100000; ++rounds) {
      if (ssl) {
        ERR_clear_error();
        size_t written = 0;
        int r = SSL_write_ex(ssl, data.data() + off, data.size() - off, &written);
        if (r == 1) {
          off += written;
          continue;
        }
        int e = SSL_get_error(ssl, r);
        if (e == SSL_ERROR_WANT_WRITE && wait_fd(POLLOUT, io_deadline)) continue;
        if (e == SSL_ERROR_WANT_READ && wait_fd(POLLIN, io_deadline)) continue;
        clear_pending_sigpipe();
        set_error(openssl_error("TLS write"));
        return false;
      }
      ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n > 0) {
        off += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) && wait_fd(POLLOUT, io_deadline)) {
        continue;
      }
      set_error(std::string("tcp send: ") + (n < 0 ? std::strerror(errno) : "stalled"));
      return false;
    }
    return off == data.size();
  }

  // Sleeps up to ms, or until stop, or (when wake_on_work) until a message arrives.
  void sleep_ms(int ms, bool wake_on_work) {
    std::unique_lock<std::mutex> lk(mu);
    if (stopping && !wake_on_work) {
      // Draining: back off, but never past the deadline.
      cv.wait_until(lk, std::min(Clock::now() + std::chrono::milliseconds(ms), drain_deadline));
      return;
    }
    if (wake_on_work) {
      // Pairs with the fence in push(): either the producer sees sender_idle and notifies
      // (under mu, so not before this wait), or this check sees its message.
      sender_idle.store(true, std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_seq_cst);
      if (ring.maybe_nonempty()) {
        sender_idle.store(false, std::memory_order_relaxed);
        return;
      }
    }
    cv.wait_for(lk, std::chrono::milliseconds(ms));
    sender_idle.store(false, std::memory_order_relaxed);
  }

  bool stop_requested(bool* past_deadline) {
    std::lock_guard<std::mutex> lk(mu);
    *past_deadline = stopping && Clock::now() >= drain_deadline;
    return stopping;
  }

  void run() {
    // OpenSSL writes to the socket with write(2): a peer reset must not kill the process.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    std::string current;
    bool have = false;
    int backoff = opts.reconnect_min_ms;
    auto back_off = [&] {
      sleep_ms(backoff, false);
      backoff = std::min(backoff * 2, opts.reconnect_max_ms);
    };
    for (;;) {
      bool past = false;
      bool stop = stop_requested(&past);
      if (past) break;
      if (!have) have = pop(current);
      if (!have && stop) break;  // drained
      if (fd >= 0 && !stream_alive()) close_conn();
      if (fd < 0 && !connect()) {  // connects eagerly, before the first message
        back_off();
        continue;
      }
      if (!have) {
        sleep_ms(100, true);  // wakes on work or stop; 100 ms also paces the peer check
        continue;
      }
      if (send_all(current)) {
        sent.fetch_add(1, std::memory_order_relaxed);
        have = false;
        current.clear();
        backoff = opts.reconnect_min_ms;
      } else {
        close_conn();  // `current` goes again on the next connection (at least once)
        back_off();    // a peer that accepts and drops at once must not make this spin
      }
    }
    uint64_t lost = have ? 1 : 0;
    std::string rest;
    for (size_t i = 0; i < opts.queue_capacity + 1 && pop(rest); ++i) ++lost;
    failed.fetch_add(lost, std::memory_order_relaxed);
    graceful_close();
  }
};

namespace {

Expected<void> validate(SyslogOptions& o) {
  auto bad = [](std::string msg) { return Unexpected(Error(ErrorCode::kValidation, std::move(msg), "syslog")); };
  bool tls = o.transport == SyslogOptions::Transport::kTls;
  if (o.host.empty()) return bad("host is empty");
  if (o.port == 0) o.port = tls ? 6514 : 514;
  if (o.facility < 0 || o.facility > 23) return bad("facility must be 0..23, got " + std::to_string(o.facility));
  // The ring tells a full slot from a free one by lap, which needs two slots at least.
  if (o.queue_capacity < 2 || o.queue_capacity > (size_t{1} << 24)) return bad("queue_capacity must be 2..16777216");
  if (o.max_message_bytes < 480 || o.max_message_bytes > 65000) return bad("max_message_bytes must be 480..65000");
  if (o.queue_max_bytes < o.max_message_bytes) return bad("queue_max_bytes is smaller than max_message_bytes");
  if (o.reconnect_min_ms <= 0 || o.reconnect_max_ms < o.reconnect_min_ms || o.reconnect_max_ms > 3'600'000) {
    return bad("reconnect backoff must satisfy 0 < reconnect_min_ms <= reconnect_max_ms <= 3600000");
  }
  if (o.io_timeout_ms <= 0 || o.io_timeout_ms > 600'000) return bad("io_timeout_ms must be 1..600000");
  if (o.app_name.empty() || o.app_name.size() > 48 ||
      !std::all_of(o.app_name.begin(), o.app_name.end(), printusascii)) {
    return bad("app_name must be 1..48 printable US-ASCII characters without spaces");
  }
  if (o.hostname.empty()) o.hostname = local_hostname();
  if (o.hostname.size() > 255 || !std::all_of(o.hostname.begin(), o.hostname.end(), printusascii)) {
    return bad("hostname must be at most 255 printable US-ASCII characters without spaces");
  }
  if (!tls && (!o.ca_file.empty() || !o.cert_file.empty() || !o.key_file.empty())) {
    return bad("ca_file, cert_file and key_file apply to the tls transport only");
  }
  if (tls) {
    if (o.verify_peer && o.ca_file.empty()) return bad("tls with verify_peer needs ca_file");
    if (o.cert_file.empty() != o.key_file.empty()) return bad("cert_file and key_file go together");
  }
  return {};
}

Expected<SSL_CTX*> make_tls_context(const SyslogOptions& o) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) return Unexpected(Error(ErrorCode::kInternal, openssl_error("SSL_CTX_new"), "syslog"));
  auto fail = [ctx](ErrorCode code, std::string msg) {
    SSL_CTX_free(ctx);
    return Unexpected(Error(code, openssl_error(msg), "syslog"));
  };
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) return fail(ErrorCode::kInternal, "TLS 1.2 minimum");
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (o.verify_peer) {
    if (SSL_CTX_load_verify_locations(ctx, o.ca_file.c_str(), nullptr) != 1) {
      return fail(ErrorCode::kIo, "ca_file " + o.ca_file);
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  if (!o.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, o.cert_file.c_str()) != 1) {
      return fail(ErrorCode::kIo, "cert_file " + o.cert_file);
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, o.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      return fail(ErrorCode::kIo, "key_file " + o.key_file);
    }
    if (SSL_CTX_check_private_key(ctx) != 1) return fail(ErrorCode::kValidation, "key_file does not match cert_file");
  }
  return ctx;
}

}  // namespace

Expected<std::unique_ptr<SyslogSink>> SyslogSink::start(const SyslogOptions& opts) {
  SyslogOptions o = opts;
  if (auto v = validate(o); !v) return Unexpected(v.error());
  SSL_CTX* ctx = nullptr;
  if (o.transport == SyslogOptions::Transport::kTls) {
    auto c = make_tls_context(o);
    if (!c) return Unexpected(c.error());
    ctx = *c;
  }
  auto impl = std::make_unique<Impl>(o);
  impl->ctx = ctx;
  impl->procid = std::to_string(::getpid());
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<SyslogSink>(new SyslogSink(std::move(impl)));
}

SyslogSink::SyslogSink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SyslogSink::~SyslogSink() { stop(std::chrono::milliseconds(0)); }

bool SyslogSink::submit(int severity, std::string_view msgid, std::string_view structured_data,
                        std::string_view msg) noexcept {
  Impl& m = *impl_;
  try {
    SyslogRecord r;
    r.facility = m.opts.facility;
    r.severity = severity;
    r.unix_us = now_unix_us();
    r.hostname = m.opts.hostname;
    r.app_name = m.opts.app_name;
    r.procid = m.procid;
    r.msgid = msgid;
    r.structured_data = structured_data;
    r.msg = msg;
    std::string line = format_rfc5424(r, m.opts.max_message_bytes);
    if (m.opts.transport != SyslogOptions::Transport::kUdp) line = frame_octet_counted(line);
    return m.push(std::move(line));
  } catch (...) {  // allocation failure: drop, never throw into the event thread
    m.dropped.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
}

bool SyslogSink::submit_event(const guard::Event& e, std::string_view json) noexcept {
  try {
    std::string sd = event_structured_data(e);
    return submit(event_severity(e), guard::reason_name(e.reason), sd, json);
  } catch (...) {
    impl_->dropped.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
}

void SyslogSink::stop(std::chrono::milliseconds drain_timeout) {
  Impl& m = *impl_;
  std::call_once(m.stop_once, [&m, drain_timeout] {
    m.accepting.store(false, std::memory_order_release);
    {
      std::lock_guard<std::mutex> lk(m.mu);
      m.stopping = true;
      m.drain_deadline = Clock::now() + std::max(drain_timeout, std::chrono::milliseconds(0));
      m.cv.notify_all();
    }
    if (m.thread.joinable()) m.thread.join();
    // A producer that passed the `accepting` check just before stop may have queued after
    // the sender's last look: count it as undelivered too.
    std::string rest;
    uint64_t lost = 0;
    for (size_t i = 0; i < m.opts.queue_capacity + 1 && m.pop(rest); ++i) ++lost;
    m.failed.fetch_add(lost, std::memory_order_relaxed);
  });
}

SyslogSink::Stats SyslogSink::stats() const {
  const Impl& m = *impl_;
  Stats s;
  s.submitted = m.submitted.load(std::memory_order_relaxed);
  s.sent = m.sent.load(std::memory_order_relaxed);
  s.dropped = m.dropped.load(std::memory_order_relaxed);
  s.failed = m.failed.load(std::memory_order_relaxed);
  s.reconnects = m.reconnects.load(std::memory_order_relaxed);
  s.connected = m.connected.load(std::memory_order_relaxed);
  return s;
}

std::string SyslogSink::last_error() const {
  std::lock_guard<std::mutex> lk(impl_->err_mu);
  return impl_->last_error;
}

}  // namespace mecguard::manage
