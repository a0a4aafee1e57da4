// Scratch buffers and the defaults of Stage.
#include "runtime/stage.hpp"

namespace amber::rt {

double* Scratch::get(size_t slot, size_t size) {
  if (slot >= buffers.size()) buffers.resize(slot + 1);
  auto& buffer = buffers[slot];
  if (buffer.size() < size) buffer.resize(size);
  return buffer.data();
}

float* Scratch::get_floats(size_t slot, size_t size) {
  if (slot >= float_buffers.size()) float_buffers.resize(slot + 1);
  auto& buffer = float_buffers[slot];
  if (buffer.size() < size) buffer.resize(size);
  return buffer.data();
}

const Labels& Stage::labels() const {
  static const Labels kNone;
  return kNone;
}

}  // namespace amber::rt
