#include <cstdio>

#include "cli/commands.h"

namespace mecguard::cli {

// Placeholder until the gen command lands; exits 1 so nothing mistakes it for success.
void register_gen(CLI::App& app) {
  auto* sub = app.add_subcommand("gen", "(not built yet)");
  sub->allow_extras();
  sub->callback([] {
    std::fprintf(stderr, "mecguard gen: not available in this build yet\n");
    exit_status() = 1;
  });
}

}  // namespace mecguard::cli
