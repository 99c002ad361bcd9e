// The stage objects of a policy snapshot, in pipeline order. Each stage looks only at the
// packets it concerns and at packets not already dropped, and reports findings through
// Worker::report (which applies the stage's enforce/monitor mode, counts and queues the
// event). Called by compile_policy().
#pragma once

#include <memory>
#include <vector>

#include "guard/pipeline.h"

namespace mecguard::guard {

std::vector<std::unique_ptr<Stage>> make_stages(const CompiledPolicy& policy);

}  // namespace mecguard::guard
