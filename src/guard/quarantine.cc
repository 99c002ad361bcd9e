#include "guard/quarantine.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace mecguard::guard {

std::string_view change_name(QuarantineChange c) {
  switch (c) {
    case QuarantineChange::kAdded: return "added";
    case QuarantineChange::kUpdated: return "updated";
    case QuarantineChange::kReleased: return "released";
    case QuarantineChange::kExpired: return "expired";
    case QuarantineChange::kFull: return "table_full";
  }
  return "?";
}

// IPv6 UEs own a /64 (TS 23.501 5.8.2.2): the table keys them by it.
IpAddr QuarantineTable::key(const IpAddr& ue) {
  if (!ue.is_v6()) return ue;
  return IpPrefix::make(ue, 64).addr;
}

QuarantineChange QuarantineTable::add(const QuarantineEntry& in) {
  QuarantineEntry e = in;
  e.ue = key(in.ue);
  if (const uint32_t* slot = index_.find(e.ue)) {
    entries_[*slot] = e;
    return QuarantineChange::kUpdated;
  }
  if (index_.size() >= max_) return QuarantineChange::kFull;
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
    entries_[slot] = e;
  } else {
    slot = static_cast<uint32_t>(entries_.size());
    entries_.emplace_back(e);
  }
  index_.insert_or_assign(e.ue, slot);
  ++filter_[filter_bucket(e.ue)];
  return QuarantineChange::kAdded;
}

bool QuarantineTable::release(const IpAddr& addr) {
  const IpAddr ue = key(addr);
  const uint32_t* slot = index_.find(ue);
  if (!slot) return false;
  const uint32_t s = *slot;
  entries_[s].reset();
  free_.push_back(s);
  index_.erase(ue);
  --filter_[filter_bucket(ue)];
  return true;
}

const QuarantineEntry* QuarantineTable::find(const IpAddr& addr, uint64_t now_ns) {
  if (index_.size() == 0) return nullptr;
  const IpAddr ue = key(addr);
  if (filter_[filter_bucket(ue)] == 0) return nullptr;
  const uint32_t* slot = index_.find(ue);
  if (!slot) return nullptr;
  const QuarantineEntry& e = *entries_[*slot];
  if (e.expires_ns != 0 && now_ns >= e.expires_ns) {
    expired_.push_back(e);
    release(ue);
    return nullptr;
  }
  return &e;
}

bool QuarantineTable::allows(const IpAddr& ue, const IpAddr& peer, uint64_t now_ns) {
  const QuarantineEntry* e = find(ue, now_ns);
  if (!e) return true;
  for (const auto& p : e->allow) {
    if (p.contains(peer)) return true;
  }
  return false;
}

std::vector<QuarantineEntry> QuarantineTable::entries() const {
  std::vector<QuarantineEntry> out;
  for (const auto& e : entries_) {
    if (e) out.push_back(*e);
  }
  return out;
}

std::vector<QuarantineEntry> QuarantineTable::take_expired() {
  std::vector<QuarantineEntry> out;
  out.swap(expired_);
  return out;
}

Expected<std::vector<QuarantineEntry>> QuarantineTable::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::vector<QuarantineEntry>{};  // no file yet: nothing quarantined
  std::ostringstream ss;
  ss << in.rdbuf();
  const auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_array()) {
    return Unexpected(Error(ErrorCode::kParse, "not a JSON array of quarantine entries", path));
  }
  std::vector<QuarantineEntry> out;
  for (size_t i = 0; i < j.size(); ++i) {
    auto e = entry_from_json(j[i], 0);
    if (!e) return Unexpected(Error(ErrorCode::kParse, e.error().message, path + " [" + std::to_string(i) + "]"));
    out.push_back(std::move(*e));
  }
  return out;
}

Expected<QuarantineEntry> QuarantineTable::entry_from_json(const nlohmann::json& o, uint64_t now_ns) {
  auto bad = [](const char* what) { return Unexpected(Error(ErrorCode::kParse, what)); };
  if (!o.is_object() || !o.contains("ue") || !o["ue"].is_string()) return bad("entry needs a \"ue\" address");
  QuarantineEntry e;
  auto ue = IpAddr::parse(o["ue"].get<std::string>());
  if (!ue) return bad("bad UE address");
  e.ue = *ue;
  if (o.contains("allow")) {
    if (!o["allow"].is_array()) return bad("\"allow\" must be a list");
    for (const auto& a : o["allow"]) {
      auto p = a.is_string() ? IpPrefix::parse(a.get<std::string>()) : std::nullopt;
      if (!p) return bad("bad prefix in \"allow\"");
      e.allow.push_back(*p);
    }
  }
  auto u64 = [&](const char* key) -> uint64_t {
    return o.contains(key) && o[key].is_number_unsigned() ? o[key].get<uint64_t>() : 0;
  };
  e.since_ns = o.contains("since_ns") ? u64("since_ns") : now_ns;
  e.expires_ns = u64("expires_ns");
  if (o.contains("expires")) {  // the management endpoint's form: seconds from now
    if (!o["expires"].is_number_unsigned()) return bad("\"expires\" must be a whole number of seconds");
    const uint64_t secs = o["expires"].get<uint64_t>();
    if (secs > 10ull * 365 * 86400) return bad("\"expires\" is more than ten years away");
    e.expires_ns = secs ? now_ns + secs * 1'000'000'000ull : 0;
  }
  if (o.contains("reason") && o["reason"].is_string()) e.reason = o["reason"].get<std::string>().substr(0, 256);
  if (o.contains("by") && o["by"].is_string()) e.by = o["by"].get<std::string>().substr(0, 64);
  return e;
}

nlohmann::json QuarantineTable::entry_to_json(const QuarantineEntry& e) {
  nlohmann::json o = {{"ue", e.ue.to_string()}, {"since_ns", e.since_ns}, {"expires_ns", e.expires_ns},
                      {"reason", e.reason}, {"by", e.by}};
  o["allow"] = nlohmann::json::array();
  for (const auto& p : e.allow) o["allow"].push_back(p.to_string());
  return o;
}

Expected<void> QuarantineTable::save_file(const std::string& path, const std::vector<QuarantineEntry>& entries) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& e : entries) j.push_back(entry_to_json(e));
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return Unexpected(Error(ErrorCode::kIo, "cannot write", tmp));
    out << j.dump(2) << "\n";
    if (!out) return Unexpected(Error(ErrorCode::kIo, "write failed", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Unexpected(Error(ErrorCode::kIo, "cannot replace", path));
  return {};
}

}  // namespace mecguard::guard
