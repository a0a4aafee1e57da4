// Frame construction helpers.
#include "runtime/frame.hpp"

namespace amber::rt {

Frame Frame::from_row_major(const double* data, size_t rows, size_t cols) {
  Frame frame;
  frame.rows = rows;
  frame.columns.resize(cols);
  for (size_t j = 0; j < cols; ++j) {
    frame.columns[j].numbers = data + j;
    frame.columns[j].stride = cols;
  }
  return frame;
}

}  // namespace amber::rt
