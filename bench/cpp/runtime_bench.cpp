// The native runtime without Python: open + compile, one-row latency, batch throughput (JSON out).
//
// Usage: runtime_bench MODEL.amber INPUT.txt METHOD ROUNDS OUT.bin
// INPUT.txt (written by bench/runtime.py): "rows N", then per column "number NAME" or
// "string NAME" followed by N lines of values (an empty string line is a missing value).
// OUT.bin receives the batch output (rows x width float64) so the caller can diff it.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "format/error.hpp"
#include "runtime/model.hpp"

namespace {

// Counts every allocation so the report can show that one-row prediction makes none.
std::atomic<size_t> g_allocations{0};

}  // namespace

void* operator new(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace {

using Clock = std::chrono::steady_clock;

struct Input {
  size_t rows = 0;
  std::vector<std::string> names;
  std::vector<std::vector<double>> numbers;  // per column; empty for string columns
  std::vector<std::vector<std::string>> texts;
  std::vector<std::vector<std::string_view>> views;
  std::vector<std::vector<uint8_t>> missing;
};

Input read_input(const char* path) {
  std::ifstream file(path);
  Input in;
  std::string word, name, line;
  file >> word >> in.rows;
  while (file >> word >> name) {
    std::getline(file, line);
    in.names.push_back(name);
    auto& numbers = in.numbers.emplace_back();
    auto& texts = in.texts.emplace_back();
    auto& missing = in.missing.emplace_back(in.rows, 0);
    for (size_t r = 0; r < in.rows && std::getline(file, line); ++r) {
      if (word == "number") {
        numbers.push_back(std::strtod(line.c_str(), nullptr));
      } else {
        missing[r] = line.empty();
        texts.push_back(line);
      }
    }
  }
  for (size_t j = 0; j < in.names.size(); ++j) {
    auto& view = in.views.emplace_back();
    for (const auto& s : in.texts[j]) view.push_back(s);
  }
  return in;
}

amber::rt::Frame frame_of(const Input& in) {
  amber::rt::Frame frame;
  frame.rows = in.rows;
  for (size_t j = 0; j < in.names.size(); ++j) {
    amber::rt::Column column;
    column.name = in.names[j];
    if (in.numbers[j].empty()) {
      column.strings = in.views[j].data();
      column.missing = in.missing[j].data();
    } else {
      column.numbers = in.numbers[j].data();
    }
    frame.columns.push_back(column);
  }
  return frame;
}

/// Moves every column of a one-row frame to row `r` of `all` (no allocation).
void point_at(const amber::rt::Frame& all, size_t r, amber::rt::Frame& row) {
  for (size_t j = 0; j < all.columns.size(); ++j) {
    const auto& from = all.columns[j];
    auto& to = row.columns[j];
    if (from.numbers) to.numbers = from.numbers + r * from.stride;
    if (from.strings) to.strings = from.strings + r;
    if (from.missing) to.missing = from.missing + r;
  }
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// CPU time of all threads: on a shared machine it moves less than wall time does.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

int run(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: runtime_bench MODEL INPUT METHOD ROUNDS OUT\n";
    return 2;
  }
  const auto method = amber::rt::parse_method(argv[3]);
  const int rounds = std::atoi(argv[4]);
  if (!method || rounds < 1) {
    std::cerr << "runtime_bench: bad method or rounds\n";
    return 2;
  }
  std::vector<double> open_s;
  for (int i = 0; i < std::max(rounds, 5); ++i) {
    const auto start = Clock::now();
    auto model = amber::rt::Model::open(argv[1]);
    open_s.push_back(seconds_since(start));
  }
  const auto model = amber::rt::Model::open(argv[1]);
  const Input input = read_input(argv[2]);
  const auto bound = model.bind(frame_of(input));
  const size_t width = model.n_outputs(*method);
  std::vector<double> out(input.rows * width);

  // One row at a time, cycling over the first rows so that it is not always the same path.
  amber::rt::Frame row = bound;
  row.rows = 1;
  amber::rt::Scratch scratch;
  const size_t pool = std::min<size_t>(input.rows, 1000);
  for (size_t r = 0; r < pool; ++r) {  // warm-up: scratch reaches its size
    point_at(bound, r, row);
    model.run(*method, row, out.data(), scratch);
  }
  std::vector<double> one_s;
  const size_t calls = static_cast<size_t>(rounds) * 200;
  one_s.reserve(calls);
  const size_t before = g_allocations.load();
  for (size_t i = 0; i < calls; ++i) {
    point_at(bound, i % pool, row);
    const auto start = Clock::now();
    model.run(*method, row, out.data(), scratch);
    one_s.push_back(seconds_since(start));
  }
  const size_t allocations = g_allocations.load() - before;

  std::vector<double> batch_s, batch_cpu_s;
  for (int i = 0; i < rounds; ++i) {
    const double cpu = cpu_seconds();
    const auto start = Clock::now();
    model.run(*method, bound, out.data(), 0u);
    batch_s.push_back(seconds_since(start));
    batch_cpu_s.push_back(cpu_seconds() - cpu);
  }
  std::ofstream(argv[5], std::ios::binary)
      .write(reinterpret_cast<const char*>(out.data()),
             static_cast<std::streamsize>(out.size() * sizeof(double)));
  std::printf(
      "{\"open_s\": %.9g, \"one_s\": [%.9g, %.9g], \"one_row_allocations\": %zu, "
      "\"batch_s\": %.9g, \"batch_cpu_s\": %.9g, \"rows\": %zu, \"samples_one\": [",
      quantile(open_s, 0.5), quantile(one_s, 0.5), quantile(one_s, 0.99), allocations,
      quantile(batch_s, 0.5), quantile(batch_cpu_s, 0.5), input.rows);
  for (size_t i = 0; i < one_s.size(); ++i) std::printf(i ? ", %.9g" : "%.9g", one_s[i]);
  std::printf("], \"samples_batch\": [");
  for (size_t i = 0; i < batch_s.size(); ++i) std::printf(i ? ", %.9g" : "%.9g", batch_s[i]);
  std::printf("], \"samples_open\": [");
  for (size_t i = 0; i < open_s.size(); ++i) std::printf(i ? ", %.9g" : "%.9g", open_s[i]);
  std::printf("]}\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "runtime_bench: " << e.what() << "\n";
    return 1;
  }
}
