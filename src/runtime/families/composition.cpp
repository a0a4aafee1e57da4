// Compilers for the composition family (placeholder until the family lands).
#include "runtime/registry.hpp"

namespace amber::rt {

void register_composition() {}

}  // namespace amber::rt
