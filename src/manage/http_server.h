// ManagementServer: the inline gateway's management HTTP endpoint (Prometheus scrape, health,
// policy reload, quarantine edits), on cpp-httplib, listening on its own threads. It owns no
// gateway state: every route calls one of the Handlers the gateway's control thread supplies.
// Handlers are called one at a time (the server serializes them), never from a worker.
// Callers: the inline gateway (issue 4), tests.
//
// Routes (docs/metrics.md):
//   GET    /metrics          Prometheus text 0.0.4 of Handlers::snapshot()
//   GET    /healthz          200 "ok"
//   POST   /reload           200 {"ok":true,"message":..} or 422 {"ok":false,"message":..}
//   GET    /quarantine       200, the JSON array of Handlers::quarantine_list()
//   POST   /quarantine       JSON entry {ue, allow?, expires?, reason?}: 200, 400 (not such an
//                            object), 422 (refused by the handler)
//   DELETE /quarantine/<ue>  200, or 404 when the handler refuses (not quarantined)
// Other paths 404, other methods on these paths 405 (with Allow); a request body above
// kMaxBodyBytes 413; a route whose handler is not set 501. Error bodies are JSON
// {"ok":false,"message":..}.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "common/expected.h"
#include "manage/snapshot.h"

namespace mecguard::manage {

inline constexpr const char* kDefaultManagementAddress = "127.0.0.1:9464";
inline constexpr size_t kMaxBodyBytes = 64 * 1024;

// "host:port" with an IPv4 literal (or "localhost", meaning 127.0.0.1), or "[v6]:port";
// port 0-65535, 0 choosing an ephemeral port.
struct ListenAddress {
  std::string host;  // numeric, without brackets
  uint16_t port = 0;
  bool ipv6 = false;
};
Expected<ListenAddress> parse_listen_address(const std::string& address);

class ManagementServer {
 public:
  struct Handlers {
    std::function<GatewaySnapshot()> snapshot;
    std::function<std::pair<bool, std::string>()> reload;  // (ok, message or the failure)
    std::function<std::string()> quarantine_list;          // JSON array (docs/quarantine.md)
    // body: one JSON entry {"ue":..,"allow":[..],"expires":seconds,"reason":..}
    std::function<std::pair<bool, std::string>(const std::string& body)> quarantine_add;
    std::function<std::pair<bool, std::string>(const std::string& ue)> quarantine_release;
  };

  // Binds `address` and starts serving; a bad address or a failed bind is an Error naming
  // the address and the cause ("address already in use").
  static Expected<std::unique_ptr<ManagementServer>> start(const std::string& address, Handlers h);

  ~ManagementServer();
  ManagementServer(const ManagementServer&) = delete;
  ManagementServer& operator=(const ManagementServer&) = delete;

  uint16_t port() const { return port_; }
  // Stops listening, waits for requests in flight; idempotent.
  void stop();

 private:
  struct Impl;
  explicit ManagementServer(std::unique_ptr<Impl> impl, uint16_t port);
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace mecguard::manage
