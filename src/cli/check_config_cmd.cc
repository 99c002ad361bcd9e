// `mecguard check-config POLICY`: parse and validate a policy; print every error with its
// location (exit 2) or a one-line summary (exit 0).
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "policy/policy.h"

namespace mecguard::cli {

void register_check_config(CLI::App& app) {
  auto* sub = app.add_subcommand("check-config", "Validate a guard policy file");
  static std::string path;
  sub->add_option("POLICY", path, "policy YAML file")->required();
  sub->callback([] {
    auto p = policy::load_policy_file(path);
    if (!p) {
      for (const auto& e : p.error()) std::fprintf(stderr, "%s\n", e.to_string().c_str());
      std::fprintf(stderr, "%s: %zu error%s\n", path.c_str(), p.error().size(),
                   p.error().size() == 1 ? "" : "s");
      exit_status() = 2;
      return;
    }
    std::printf("%s: ok (%zu network instances, %zu zone rules, %zu classes, %zu UE groups, %zu ACL rules)\n",
                path.c_str(), p->network_instances.size(), p->zone_rules.size(), p->classes.size(),
                p->ue_groups.size(), p->acl.size());
  });
}

}  // namespace mecguard::cli
