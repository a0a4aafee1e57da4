// Compilers for the trees family (placeholder until the family lands).
#include "runtime/registry.hpp"

namespace amber::rt {

void register_trees() {}

}  // namespace amber::rt
