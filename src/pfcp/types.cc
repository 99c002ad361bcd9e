#include "pfcp/types.h"

#include <array>

namespace mecguard::pfcp {
namespace {

constexpr std::array<std::string_view, kStatusCount> kStatusNames = {
#define MG_X(e, name, text) name,
    MG_PFCP_STATUS(MG_X)
#undef MG_X
};
constexpr std::array<std::string_view, kStatusCount> kStatusTexts = {
#define MG_X(e, name, text) text,
    MG_PFCP_STATUS(MG_X)
#undef MG_X
};

struct MsgInfo {
  std::string_view name;
  bool known = false;
  bool session = false;
};

constexpr std::array<MsgInfo, 256> make_msg_table() {
  std::array<MsgInfo, 256> t{};
#define MG_X(e, v, name, sess) t[v] = MsgInfo{name, true, sess};
  MG_PFCP_MESSAGE_TYPES(MG_X)
#undef MG_X
  return t;
}
constexpr auto kMsgTable = make_msg_table();

struct IeInfo {
  std::string_view name;
  bool known = false;
  bool grouped = false;
};
// Every IE type in the table is below 256; a larger 3GPP type is simply "unknown".
constexpr std::array<IeInfo, 256> make_ie_table() {
  std::array<IeInfo, 256> t{};
#define MG_X(e, v, name, grouped) t[v] = IeInfo{name, true, grouped};
  MG_PFCP_IE_TYPES(MG_X)
#undef MG_X
  return t;
}
constexpr auto kIeTable = make_ie_table();

}  // namespace

std::string_view status_name(Status s) {
  const auto i = static_cast<size_t>(s);
  return i < kStatusCount ? kStatusNames[i] : "pfcp_invalid_status";
}
std::string_view status_text(Status s) {
  const auto i = static_cast<size_t>(s);
  return i < kStatusCount ? kStatusTexts[i] : "invalid status";
}

bool is_known_message_type(uint8_t type) { return kMsgTable[type].known; }
bool is_session_message_type(uint8_t type) { return kMsgTable[type].session; }
std::string_view message_type_name(uint8_t type) {
  return kMsgTable[type].known ? kMsgTable[type].name : "unknown";
}

bool is_grouped_ie(uint16_t type) { return type < kIeTable.size() && kIeTable[type].grouped; }
bool is_known_ie(uint16_t type) { return type < kIeTable.size() && kIeTable[type].known; }
std::string_view ie_type_name(uint16_t type) {
  return is_known_ie(type) ? kIeTable[type].name : "unknown";
}

}  // namespace mecguard::pfcp
