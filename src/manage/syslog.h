// SyslogSink: ships security events to a remote collector as RFC 5424 syslog messages over
// UDP (RFC 5426), TCP (RFC 6587 octet counting) or TLS (RFC 5425) (requirement G15). The
// caller — the gateway's event thread, after guard::EventSink has aggregated a batch — calls
// submit()/submit_event(), which format the message and put it on a bounded lock-free queue
// and never wait for the network; a sender thread connects in the background, reconnects
// with exponential backoff and delivers at least once over TCP/TLS. Formatting is a set of
// pure functions (format_rfc5424, event_structured_data, ...) so that it is unit-tested
// without a socket. Wire format and delivery semantics: docs/events.md, "Syslog (RFC 5424)".
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/expected.h"
#include "guard/pipeline.h"

namespace mecguard::manage {

struct SyslogOptions {
  enum class Transport { kUdp, kTcp, kTls };
  Transport transport = Transport::kUdp;
  std::string host = "127.0.0.1";  // numeric address or name (resolved by the sender thread)
  uint16_t port = 0;               // 0: 514 for UDP and TCP, 6514 for TLS (RFC 5425)
  // TLS only. ca_file is required when verify_peer; cert_file/key_file (both or neither)
  // give a client certificate for mutual authentication.
  std::string ca_file, cert_file, key_file;
  std::string server_name;  // name (or IP literal) the server certificate must carry; empty: host
  bool verify_peer = true;
  std::string app_name = "mecguard";  // APP-NAME: 1..48 printable US-ASCII characters
  std::string hostname;               // HOSTNAME; empty: gethostname()
  // 13 = "log audit" (RFC 5424 table 1): these are security audit records. 0..23.
  int facility = 13;
  size_t queue_capacity = 65536;         // messages waiting for the sender (2..2^24); beyond: dropped
  size_t queue_max_bytes = 64u << 20;    // and the bytes they hold
  size_t max_message_bytes = 8192;       // one SYSLOG-MSG (without framing); MSG is cut at a
                                         // UTF-8 boundary. 480..65000 (RFC 5426 allows 480)
  int reconnect_min_ms = 100, reconnect_max_ms = 5000;  // backoff, doubling from min to max
  int io_timeout_ms = 5000;  // connect, TLS handshake, a stalled write: then reconnect
};

// The fields of one RFC 5424 message. Header fields are cleaned by format_rfc5424 (anything
// outside printable US-ASCII becomes '_', too long is cut, empty becomes the NILVALUE "-").
struct SyslogRecord {
  int facility = 13;
  int severity = 6;
  int64_t unix_us = 0;  // TIMESTAMP, microseconds since the epoch (UTC); < 0: NILVALUE
  std::string_view hostname, app_name, procid, msgid;
  std::string_view structured_data;  // one or more SD-ELEMENTs, already escaped; empty: "-"
  std::string_view msg;              // MSG-ANY (no BOM); empty: no MSG part
};

// "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD[ MSG]". With max_bytes > 0 the result
// is at most max_bytes long: MSG is cut at a UTF-8 character boundary, and if the header
// and SD alone do not fit, SD becomes "-" (so the result stays a valid message).
std::string format_rfc5424(const SyslogRecord& r, size_t max_bytes = 0);
// RFC 3339 UTC with microseconds: "2023-11-14T22:13:20.123456Z".
std::string rfc3339_utc_us(int64_t unix_us);
// PARAM-VALUE escaping (RFC 5424 §6.3.3): '"', '\' and ']' get a backslash.
std::string sd_escape(std::string_view value);
// RFC 6587 §3.4.1 / RFC 5425 §4.3 octet counting: "MSG-LEN SP SYSLOG-MSG".
std::string frame_octet_counted(std::string_view syslog_msg);

// The SD-ID of mecguard's element. 32473 is the example Private Enterprise Number of RFC 5612.
inline constexpr std::string_view kSdId = "mecguard@32473";
// [mecguard@32473 reason=".." action=".." stage=".." ue=".." src=".." dst=".."], empty
// parameters left out.
std::string event_structured_data(const guard::Event& e);
// The syslog severity of an event: the reason's severity through guard::syslog_severity
// (critical 2, high 3, medium 4, low 5, info 6), so the one reason table decides; a
// quarantine change (info in that table) is raised to warning (4): an operator must see it.
int event_severity(const guard::Event& e);

class SyslogSink {
 public:
  struct Stats {
    uint64_t submitted = 0;   // accepted onto the queue
    uint64_t sent = 0;        // written to the transport completely
    uint64_t dropped = 0;     // refused by submit: queue full (or the sink is stopping)
    uint64_t failed = 0;      // accepted but undeliverable when stop() gave up
    uint64_t reconnects = 0;  // connections established after the first one
    bool connected = false;
  };

  // Validates the options (and, for TLS, loads the CA and client certificate); does not
  // need the server to be up: the sender thread connects in the background.
  static Expected<std::unique_ptr<SyslogSink>> start(const SyslogOptions& opts);
  ~SyslogSink();  // stop(0) if stop was not called
  SyslogSink(const SyslogSink&) = delete;
  SyslogSink& operator=(const SyslogSink&) = delete;

  // Formats and queues one message stamped with the current time. Never blocks on the
  // network or on a full queue: returns false (and counts `dropped`) when it cannot queue.
  bool submit(int severity, std::string_view msgid, std::string_view structured_data,
              std::string_view msg) noexcept;
  // One guard event: severity event_severity(e), MSGID the reason name, SD
  // event_structured_data(e), MSG the event's JSON line (guard::EventSink::to_json).
  bool submit_event(const guard::Event& e, std::string_view json) noexcept;

  // Stops accepting, delivers what is queued for up to drain_timeout, then closes. What
  // could not be delivered by then is counted `failed`. Idempotent.
  void stop(std::chrono::milliseconds drain_timeout);

  Stats stats() const;
  std::string last_error() const;  // the latest connect/TLS/send failure, for diagnostics

  struct Impl;  // the sender thread, its queue and connection (syslog.cc)

 private:
  explicit SyslogSink(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mecguard::manage
