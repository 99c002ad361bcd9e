// Subcommand registration for the `mecguard` binary. Each command lives in its own
// src/cli/<name>_cmd.cc and adds itself to the CLI11 app; main.cc calls every register_*.
// A command's callback returns the process exit status: 0 success, 1 runtime failure
// (unreadable input, corrupt capture), 2 usage or validation error.
#pragma once

#include <CLI/CLI.hpp>

namespace mecguard::cli {

// Set by a subcommand's callback; main returns it.
int& exit_status();

void register_decode(CLI::App& app);
void register_gen(CLI::App& app);
void register_check_config(CLI::App& app);
void register_inspect(CLI::App& app);
void register_quarantine(CLI::App& app);
void register_run(CLI::App& app);
void register_replay(CLI::App& app);

}  // namespace mecguard::cli
