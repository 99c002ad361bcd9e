#include "cli/commands.h"

namespace mecguard::cli {

int& exit_status() {
  static int status = 0;
  return status;
}

}  // namespace mecguard::cli
