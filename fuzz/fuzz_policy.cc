// libFuzzer target: the policy loader (YAML -> validated Policy) and, when the input is a
// valid policy, the compiler. Every bad input must give located errors, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "guard/pipeline.h"
#include "policy/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto p = mecguard::policy::load_policy_string(text, "fuzz.yaml");
  if (!p) {
    if (p.error().empty()) __builtin_trap();  // a failure always says why
    return 0;
  }
  (void)mecguard::guard::compile_policy(*p);
  return 0;
}
