// Replays the fuzz target on every file of the folders given: the corpus as a regression test.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<std::filesystem::path> files_under(const std::filesystem::path& folder) {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::is_directory(folder)) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<uint8_t> read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

/// replay FOLDER...: the first folder must hold at least one file; others may be absent.
int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " CORPUS_FOLDER [MORE_FOLDERS...]\n";
    return 2;
  }
  size_t total = 0;
  for (int a = 1; a < argc; ++a) {
    const auto files = files_under(argv[a]);
    if (a == 1 && files.empty()) {
      std::cerr << "no corpus files in " << argv[a] << "\n";
      return 1;
    }
    for (const auto& path : files) {
      std::cout << path.string() << std::endl;  // names the input should it crash
      const std::vector<uint8_t> bytes = read_all(path);
      LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
      ++total;
    }
  }
  std::cout << "replayed " << total << " inputs without a finding\n";
  return 0;
}
