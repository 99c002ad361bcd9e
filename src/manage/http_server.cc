// ManagementServer on cpp-httplib (see http_server.h for the routes). The server runs
// httplib's accept loop on one thread and requests on a small pool; every call into the
// gateway goes through Handlers under one mutex, so the gateway sees one caller at a time.
#include "manage/http_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "manage/httplib.h"

#include "manage/metrics.h"

namespace mecguard::manage {

namespace {

constexpr size_t kRequestThreads = 2;
constexpr time_t kIoTimeoutSeconds = 5;
constexpr time_t kKeepAliveSeconds = 1;  // also bounds how long stop() waits for an idle client
constexpr size_t kMaxUeLength = 64;

bool parse_port(const std::string& s, uint16_t& port) {
  if (s.empty() || s.size() > 5) return false;
  uint32_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  if (v > 65535) return false;
  port = static_cast<uint16_t>(v);
  return true;
}

Error address_error(const std::string& address, const std::string& why) {
  return Error(ErrorCode::kInvalidArgument, "management address '" + address + "': " + why);
}

// Binds a throwaway socket the way the server will, to name the cause of a failure (httplib
// reports only that binding failed). Returns 0 or the errno of socket()/bind().
int probe_bind(const ListenAddress& a) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (a.ipv6) {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(a.port);
    if (inet_pton(AF_INET6, a.host.c_str(), &sa.sin6_addr) != 1) return EINVAL;
    std::memcpy(&ss, &sa, sizeof sa);
    len = sizeof sa;
  } else {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(a.port);
    if (inet_pton(AF_INET, a.host.c_str(), &sa.sin_addr) != 1) return EINVAL;
    std::memcpy(&ss, &sa, sizeof sa);
    len = sizeof sa;
  }
  const int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  const int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  int err = 0;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&ss), len) != 0) err = errno;
  ::close(fd);
  return err;
}

std::string json_message(bool ok, const std::string& message) {
  nlohmann::json j;
  j["ok"] = ok;
  j["message"] = message;
  // Handler text is not necessarily UTF-8; replace invalid bytes rather than throw.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void reply(httplib::Response& res, int status, bool ok, const std::string& message) {
  res.status = status;
  res.set_content(json_message(ok, message), "application/json");
}

// The methods each route accepts, for 405 and its Allow header; empty: no such path.
std::string allowed_methods(const std::string& path) {
  if (path == "/metrics" || path == "/healthz") return "GET, HEAD";
  if (path == "/reload") return "POST";
  if (path == "/quarantine") return "GET, HEAD, POST";
  if (path.rfind("/quarantine/", 0) == 0 && path.size() > 12 && path.find('/', 12) == std::string::npos) {
    return "DELETE";
  }
  return {};
}

// Checks the shape of a POST /quarantine body; the handler checks the values.
std::string check_quarantine_body(const std::string& body) {
  const auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return "body is not valid JSON";
  if (!j.is_object()) return "body must be a JSON object";
  for (const auto& item : j.items()) {
    const auto& k = item.key();
    const auto& v = item.value();
    if (k == "ue") {
      if (!v.is_string() || v.get_ref<const std::string&>().empty()) return "'ue' must be a non-empty string";
    } else if (k == "allow") {
      if (!v.is_array()) return "'allow' must be an array of prefixes";
      for (const auto& p : v) {
        if (!p.is_string()) return "'allow' must be an array of prefixes";
      }
    } else if (k == "expires") {
      if (!v.is_number() || v.get<double>() < 0) return "'expires' must be a number of seconds >= 0";
    } else if (k == "reason") {
      if (!v.is_string()) return "'reason' must be a string";
    } else {
      return "unknown key '" + k + "' (expected ue, allow, expires, reason)";
    }
  }
  if (!j.contains("ue")) return "'ue' is required";
  return {};
}

}  // namespace

Expected<ListenAddress> parse_listen_address(const std::string& address) {
  if (address.empty()) return Unexpected(address_error(address, "empty"));
  if (address.size() > 128) return Unexpected(address_error(address.substr(0, 32) + "...", "too long"));
  if (address.find('\0') != std::string::npos) return Unexpected(address_error("", "contains a NUL byte"));
  ListenAddress out;
  std::string port;
  if (address.front() == '[') {
    const auto close = address.find(']');
    if (close == std::string::npos) return Unexpected(address_error(address, "missing ']'"));
    out.host = address.substr(1, close - 1);
    out.ipv6 = true;
    if (close + 1 >= address.size() || address[close + 1] != ':') {
      return Unexpected(address_error(address, "expected ':PORT' after ']'"));
    }
    port = address.substr(close + 2);
    in6_addr a6{};
    if (inet_pton(AF_INET6, out.host.c_str(), &a6) != 1) {
      return Unexpected(address_error(address, "'" + out.host + "' is not an IPv6 address"));
    }
  } else {
    const auto colon = address.rfind(':');
    if (colon == std::string::npos) return Unexpected(address_error(address, "expected HOST:PORT"));
    out.host = address.substr(0, colon);
    port = address.substr(colon + 1);
    if (out.host.find(':') != std::string::npos) {
      return Unexpected(address_error(address, "an IPv6 address needs brackets: [ADDR]:PORT"));
    }
    if (out.host == "localhost") out.host = "127.0.0.1";
    in_addr a4{};
    if (inet_pton(AF_INET, out.host.c_str(), &a4) != 1) {
      return Unexpected(address_error(address, "'" + out.host + "' is not an IPv4 address"));
    }
  }
  if (!parse_port(port, out.port)) {
    return Unexpected(address_error(address, "'" + port + "' is not a port (0-65535)"));
  }
  return out;
}

struct ManagementServer::Impl {
  Handlers handlers;
  std::mutex handler_mu;  // one handler call at a time
  httplib::Server server;
  std::thread thread;
  std::mutex stop_mu;
  std::atomic<bool> done{false};  // listen_after_bind returned

  void install_routes();
};

void ManagementServer::Impl::install_routes() {
  auto& s = server;

  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    if (!handlers.snapshot) return reply(res, 501, false, "no snapshot handler");
    GatewaySnapshot snap;
    {
      const std::lock_guard lock(handler_mu);
      snap = handlers.snapshot();
    }
    res.set_content(render_prometheus(snap), std::string(kPrometheusContentType));
  });

  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });

  s.Post("/reload", [this](const httplib::Request&, httplib::Response& res) {
    if (!handlers.reload) return reply(res, 501, false, "no reload handler");
    std::pair<bool, std::string> r;
    {
      const std::lock_guard lock(handler_mu);
      r = handlers.reload();
    }
    reply(res, r.first ? 200 : 422, r.first, r.second);
  });

  s.Get("/quarantine", [this](const httplib::Request&, httplib::Response& res) {
    if (!handlers.quarantine_list) return reply(res, 501, false, "no quarantine handler");
    std::string body;
    {
      const std::lock_guard lock(handler_mu);
      body = handlers.quarantine_list();
    }
    res.set_content(body, "application/json");
  });

  s.Post("/quarantine", [this](const httplib::Request& req, httplib::Response& res) {
    if (!handlers.quarantine_add) return reply(res, 501, false, "no quarantine handler");
    if (const auto bad = check_quarantine_body(req.body); !bad.empty()) return reply(res, 400, false, bad);
    std::pair<bool, std::string> r;
    {
      const std::lock_guard lock(handler_mu);
      r = handlers.quarantine_add(req.body);
    }
    reply(res, r.first ? 200 : 422, r.first, r.second);
  });

  s.Delete(R"(/quarantine/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    if (!handlers.quarantine_release) return reply(res, 501, false, "no quarantine handler");
    const std::string ue = req.matches.size() > 1 ? req.matches[1].str() : std::string();
    if (ue.empty() || ue.size() > kMaxUeLength) return reply(res, 400, false, "bad UE address");
    std::pair<bool, std::string> r;
    {
      const std::lock_guard lock(handler_mu);
      r = handlers.quarantine_release(ue);
    }
    reply(res, r.first ? 200 : 404, r.first, r.second);
  });

  // Errors httplib produces itself (no route, body too large, bad request) get a JSON body;
  // responses a route already wrote are left alone.
  s.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (res.status == 404) {
      const auto allow = allowed_methods(req.path);
      if (!allow.empty()) {
        res.set_header("Allow", allow);
        reply(res, 405, false, "method " + req.method + " not allowed on " + req.path + " (allowed: " + allow + ")");
      } else {
        reply(res, 404, false, "no such resource");
      }
    } else if (res.status == 413) {
      reply(res, 413, false, "request body above " + std::to_string(kMaxBodyBytes) + " bytes");
    } else {
      reply(res, res.status, false, res.status == 400 ? "bad request" : "request failed");
    }
    return httplib::Server::HandlerResponse::Handled;
  }));

  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "internal error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what += ": ";
      what += e.what();
    } catch (...) {
    }
    reply(res, 500, false, what);
  });
}

ManagementServer::ManagementServer(std::unique_ptr<Impl> impl, uint16_t port) : impl_(std::move(impl)), port_(port) {}

ManagementServer::~ManagementServer() { stop(); }

void ManagementServer::stop() {
  if (!impl_) return;
  const std::lock_guard lock(impl_->stop_mu);
  if (!impl_->thread.joinable()) return;
  impl_->server.stop();
  impl_->thread.join();
}

Expected<std::unique_ptr<ManagementServer>> ManagementServer::start(const std::string& address, Handlers h) {
  auto addr = parse_listen_address(address);
  if (!addr) return Unexpected(addr.error());
  if (const int err = probe_bind(*addr); err != 0) {
    return Unexpected(Error(ErrorCode::kIo, "management address '" + address + "': cannot bind: " + std::strerror(err)));
  }

  auto impl = std::make_unique<Impl>();
  impl->handlers = std::move(h);
  auto& s = impl->server;
  s.new_task_queue = [] { return new httplib::ThreadPool(kRequestThreads); };
  s.set_address_family(addr->ipv6 ? AF_INET6 : AF_INET);
  // httplib's default also sets SO_REUSEPORT, which would let a second server share the port
  // silently; only SO_REUSEADDR (restart while old connections linger).
  s.set_socket_options([](socket_t sock) {
    const int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  s.set_payload_max_length(kMaxBodyBytes);
  s.set_read_timeout(kIoTimeoutSeconds, 0);
  s.set_write_timeout(kIoTimeoutSeconds, 0);
  s.set_keep_alive_timeout(kKeepAliveSeconds);
  s.set_keep_alive_max_count(32);
  impl->install_routes();

  uint16_t port = addr->port;
  bool bound = false;
  if (port == 0) {
    const int p = s.bind_to_any_port(addr->host, AI_NUMERICHOST);
    bound = p > 0 && p <= 65535;
    if (bound) port = static_cast<uint16_t>(p);
  } else {
    bound = s.bind_to_port(addr->host, port, AI_NUMERICHOST);
  }
  if (!bound) {
    const int err = errno;
    return Unexpected(Error(ErrorCode::kIo, "management address '" + address + "': cannot bind" +
                                                (err != 0 ? std::string(": ") + std::strerror(err) : std::string())));
  }

  impl->thread = std::thread([i = impl.get()] {
    i->server.listen_after_bind();
    i->done = true;
  });
  // stop() is a no-op until the accept loop runs; wait for it so stop() always ends the thread.
  while (!s.is_running() && !impl->done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!s.is_running()) {
    impl->thread.join();
    return Unexpected(Error(ErrorCode::kIo, "management address '" + address + "': accept loop ended at once"));
  }
  return std::unique_ptr<ManagementServer>(new ManagementServer(std::move(impl), port));
}

}  // namespace mecguard::manage
