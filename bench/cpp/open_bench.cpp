// Opening a 1 GiB file of raw arrays and taking views of all of them: the native open cost.
#include <benchmark/benchmark.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <vector>

#include "format/reader.hpp"
#include "format/writer.hpp"

namespace {

constexpr size_t kArrays = 16;
constexpr size_t kArrayBytes = size_t{64} << 20;  // 16 x 64 MiB = 1 GiB

std::filesystem::path bench_file() {
  const char* dir = std::getenv("AMBER_BENCH_DIR");
  return std::filesystem::path(dir ? dir : "build/bench") / "open-1gib.amber";
}

void ensure_file(const std::filesystem::path& path) {
  if (std::filesystem::exists(path)) return;
  std::filesystem::create_directories(path.parent_path());
  std::vector<double> values(kArrayBytes / sizeof(double));
  std::iota(values.begin(), values.end(), 0.0);
  amber::Writer writer;
  for (size_t i = 0; i < kArrays; ++i) {
    amber::ArrayInput input;
    input.name = "array" + std::to_string(i);
    input.dtype = amber::DType::Float64;
    input.shape = {values.size()};
    input.bytes = {reinterpret_cast<const uint8_t*>(values.data()), kArrayBytes};
    input.codec.compress = false;
    writer.add_array(input);
  }
  writer.write(path);
}

long max_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

void BM_OpenAndViewAll(benchmark::State& state) {
  const auto path = bench_file();
  ensure_file(path);
  const long rss_before = max_rss_kib();
  size_t views = 0;
  for (auto _ : state) {
    auto reader = amber::Reader::open(path);
    for (size_t i = 0; i < reader.arrays().size(); ++i) {
      auto data = reader.array(i);
      views += data.is_view;
      benchmark::DoNotOptimize(data.bytes.data());
    }
  }
  state.counters["file_GiB"] = static_cast<double>(std::filesystem::file_size(path)) / (1 << 30);
  state.counters["views_per_open"] = static_cast<double>(views) / state.iterations();
  state.counters["rss_growth_MiB"] = static_cast<double>(max_rss_kib() - rss_before) / 1024;
}
BENCHMARK(BM_OpenAndViewAll)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
