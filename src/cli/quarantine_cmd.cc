// `mecguard quarantine add|list|release`: the operator's side of quarantine (G12). The state
// is a JSON file (docs/quarantine.md) that `inspect --quarantine` loads; the inline gateway's
// management endpoint will edit the same entries.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "guard/quarantine.h"

namespace mecguard::cli {

namespace {

struct QuarantineArgs {
  std::string state = "quarantine.json";
  std::string ue;
  std::vector<std::string> allow;
  double expires_s = 0;
  std::string reason;
};

uint64_t now_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

int load(const QuarantineArgs& a, std::vector<guard::QuarantineEntry>& out) {
  auto entries = guard::QuarantineTable::load_file(a.state);
  if (!entries) {
    std::fprintf(stderr, "mecguard quarantine: %s\n", entries.error().to_string().c_str());
    return 2;
  }
  out = std::move(*entries);
  return 0;
}

int save(const QuarantineArgs& a, const std::vector<guard::QuarantineEntry>& entries) {
  auto r = guard::QuarantineTable::save_file(a.state, entries);
  if (!r) {
    std::fprintf(stderr, "mecguard quarantine: %s\n", r.error().to_string().c_str());
    return 1;
  }
  return 0;
}

int run_add(const QuarantineArgs& a) {
  guard::QuarantineEntry e;
  auto ue = IpAddr::parse(a.ue);
  if (!ue) {
    std::fprintf(stderr, "mecguard quarantine add: '%s' is not an IP address\n", a.ue.c_str());
    return 2;
  }
  e.ue = *ue;
  for (const auto& text : a.allow) {
    auto p = IpPrefix::parse(text);
    if (!p) {
      std::fprintf(stderr, "mecguard quarantine add: --allow '%s' is not a prefix\n", text.c_str());
      return 2;
    }
    e.allow.push_back(*p);
  }
  e.since_ns = now_ns();
  e.expires_ns = a.expires_s > 0 ? e.since_ns + static_cast<uint64_t>(a.expires_s * 1e9) : 0;
  e.reason = a.reason.empty() ? "operator" : a.reason;
  e.by = "operator";
  std::vector<guard::QuarantineEntry> entries;
  if (int rc = load(a, entries)) return rc;
  bool replaced = false;
  for (auto& old : entries) {
    if (old.ue == e.ue) {
      old = e;
      replaced = true;
    }
  }
  if (!replaced) entries.push_back(e);
  if (int rc = save(a, entries)) return rc;
  std::printf("%s %s (%s)\n", replaced ? "updated" : "quarantined", a.ue.c_str(),
              e.allow.empty() ? "drop all" : "allow-list");
  return 0;
}

int run_release(const QuarantineArgs& a) {
  std::vector<guard::QuarantineEntry> entries;
  if (int rc = load(a, entries)) return rc;
  auto ue = IpAddr::parse(a.ue);
  const auto before = entries.size();
  std::erase_if(entries, [&](const guard::QuarantineEntry& e) { return ue && e.ue == *ue; });
  if (entries.size() == before) {
    std::fprintf(stderr, "mecguard quarantine release: %s is not quarantined\n", a.ue.c_str());
    return 1;
  }
  if (int rc = save(a, entries)) return rc;
  std::printf("released %s\n", a.ue.c_str());
  return 0;
}

int run_list(const QuarantineArgs& a) {
  std::vector<guard::QuarantineEntry> entries;
  if (int rc = load(a, entries)) return rc;
  const uint64_t now = now_ns();
  for (const auto& e : entries) {
    std::string allow;
    for (const auto& p : e.allow) allow += (allow.empty() ? "" : ",") + p.to_string();
    const bool expired = e.expires_ns != 0 && e.expires_ns <= now;
    std::printf("%-40s %-10s %-24s expires=%s by=%s reason=%s\n", e.ue.to_string().c_str(),
                e.allow.empty() ? "drop" : "allow-list", allow.empty() ? "-" : allow.c_str(),
                e.expires_ns == 0 ? "never" : (expired ? "expired" : "later"), e.by.c_str(), e.reason.c_str());
  }
  std::printf("%zu quarantined\n", entries.size());
  return 0;
}

}  // namespace

void register_quarantine(CLI::App& app) {
  static QuarantineArgs args;
  auto* q = app.add_subcommand("quarantine", "Isolate UEs: add, list, release (state file)");
  q->require_subcommand(1);
  q->add_option("--state", args.state, "quarantine state file")->capture_default_str();
  auto* add = q->add_subcommand("add", "Quarantine a UE: drop all, or only allow --allow prefixes");
  add->add_option("UE", args.ue, "UE address")->required();
  add->add_option("--allow", args.allow, "destinations still allowed (prefixes)");
  add->add_option("--expires", args.expires_s, "seconds until the quarantine lapses (0: never)")->check(CLI::NonNegativeNumber);
  add->add_option("--reason", args.reason, "why (kept in the state and events)");
  add->callback([] { exit_status() = run_add(args); });
  auto* rel = q->add_subcommand("release", "Release a UE");
  rel->add_option("UE", args.ue, "UE address")->required();
  rel->callback([] { exit_status() = run_release(args); });
  auto* list = q->add_subcommand("list", "List quarantined UEs");
  list->callback([] { exit_status() = run_list(args); });
}

}  // namespace mecguard::cli
