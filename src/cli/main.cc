// mecguard: the single binary. Subcommands are registered from src/cli/*_cmd.cc.
#include <cstdio>
#include <exception>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"mecguard: 5G edge user-plane security (guard, assure, manage)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "mecguard 0.1.0");
  mecguard::cli::register_decode(app);
  mecguard::cli::register_gen(app);
  mecguard::cli::register_check_config(app);
  mecguard::cli::register_inspect(app);
  mecguard::cli::register_quarantine(app);
  mecguard::cli::register_run(app);
  mecguard::cli::register_replay(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mecguard: internal error: %s\n", e.what());
    return 1;
  }
  return mecguard::cli::exit_status();
}
