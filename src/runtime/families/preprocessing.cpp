// Compilers for the preprocessing family (placeholder until the family lands).
#include "runtime/registry.hpp"

namespace amber::rt {

void register_preprocessing() {}

}  // namespace amber::rt
