// Error: what a control-path failure says. Carries a code, a message and, for
// configuration or capture errors, where it happened ("policy.yaml:42 acl.rules[5].ports").
#pragma once

#include <string>
#include <utility>

namespace mecguard {

enum class ErrorCode {
  kInvalidArgument,  // bad CLI argument or API input
  kIo,               // file or socket could not be read/written
  kParse,            // syntax error in YAML/JSON/capture
  kValidation,       // well-formed input whose values are not acceptable
  kUnsupported,      // valid input this build does not handle
  kLimit,            // a configured bound was reached
  kInternal,
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string location;  // "file:line path" or "frame 1234"; empty when not applicable

  Error() = default;
  Error(ErrorCode c, std::string msg, std::string loc = {})
      : code(c), message(std::move(msg)), location(std::move(loc)) {}

  // "location: message" or just "message".
  std::string to_string() const { return location.empty() ? message : location + ": " + message; }
};

}  // namespace mecguard
