// Prometheus text exposition (format 0.0.4) of a GatewaySnapshot: the body of the management
// endpoint's GET /metrics (http_server.h). Every family is listed in docs/metrics.md. Per-reason
// and per-stage series are emitted for every declared reason and stage, zeros included, so a
// dashboard sees each series from the first scrape. Callers: ManagementServer, tests.
#pragma once

#include <string>
#include <string_view>

#include "manage/snapshot.h"

namespace mecguard::manage {

// The Content-Type of render_prometheus()'s output.
inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string render_prometheus(const GatewaySnapshot& s);

// A label value escaped for the exposition format: backslash, double quote and line feed.
std::string escape_label_value(std::string_view v);

}  // namespace mecguard::manage
