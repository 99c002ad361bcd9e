// libFuzzer target for the PFCP decoder: header, IE walker and message model. When a
// message decodes, re-encoding it must succeed and decode to an equal model (the model
// guarantees decode(encode(m)) == m for every decoded m; see src/pfcp/README.md).
#include <cstddef>
#include <cstdint>

#include "pfcp/message.h"
#include "pfcp/walker.h"

using namespace mecguard;  // NOLINT(google-build-using-namespace)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Bytes in(data, size);

  pfcp::HeaderInfo hi;
  if (pfcp::decode_header(in, hi) == pfcp::Status::kOk) {
    // Walk the raw IE tree touching every value byte.
    uint32_t sum = 0;
    pfcp::walk_ies(in.subspan(hi.header_len, hi.msg_len - hi.header_len),
                   [&](const pfcp::IeView& ie, int) {
                     for (uint8_t b : ie.value) sum += b;
                     return true;
                   });
    if (sum == 0xFFFFFFFFu) __builtin_trap();  // keeps the loop observable
  }

  pfcp::DecodeStats st;
  auto m = pfcp::decode_message(in, &st);
  if (!m) return 0;
  if (st.msg_len > size) __builtin_trap();
  auto wire = pfcp::try_encode(*m);
  if (!wire) __builtin_trap();
  auto again = pfcp::decode_message(*wire);
  if (!again) __builtin_trap();
  if (!(*again == *m)) __builtin_trap();
  if (pfcp::encode(*again) != *wire) __builtin_trap();
  return 0;
}
