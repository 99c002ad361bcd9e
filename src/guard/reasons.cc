#include "guard/reasons.h"

namespace mecguard::guard {

namespace {
constexpr std::string_view kStageNames[] = {
#define MG_X(e, name) name,
    MG_GUARD_STAGES(MG_X)
#undef MG_X
};
struct ReasonInfo {
  std::string_view name;
  StageId stage;
  Severity severity;
  std::string_view text;
};
constexpr ReasonInfo kReasons[] = {
#define MG_X(e, name, stage, sev, text) {name, StageId::stage, Severity::sev, text},
    MG_GUARD_REASONS(MG_X)
#undef MG_X
};
}  // namespace

std::string_view stage_name(StageId s) { return kStageNames[static_cast<size_t>(s)]; }
std::string_view reason_name(Reason r) { return kReasons[static_cast<size_t>(r)].name; }
std::string_view reason_text(Reason r) { return kReasons[static_cast<size_t>(r)].text; }
StageId reason_stage(Reason r) { return kReasons[static_cast<size_t>(r)].stage; }
Severity reason_severity(Reason r) { return kReasons[static_cast<size_t>(r)].severity; }

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "?";
}

int syslog_severity(Severity s) {
  switch (s) {
    case Severity::kInfo: return 6;
    case Severity::kLow: return 5;
    case Severity::kMedium: return 4;
    case Severity::kHigh: return 3;
    case Severity::kCritical: return 2;
  }
  return 6;
}

}  // namespace mecguard::guard
