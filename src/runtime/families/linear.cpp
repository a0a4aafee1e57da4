// Compilers for the linear family (placeholder until the family lands).
#include "runtime/registry.hpp"

namespace amber::rt {

void register_linear_models() {}

}  // namespace amber::rt
