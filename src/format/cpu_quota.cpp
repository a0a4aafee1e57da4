// A container limited by CPU time (Kubernetes CPU limits) rather than by a cpuset sees every CPU
// of its host in its affinity mask: helper threads beyond its quota only get throttled.
#include "format/cpu_quota.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <string>
#include <system_error>

namespace amber {
namespace {

/// The first 4 KiB of a file, or "" when it cannot be read. Plain system calls: the first use
/// of an iostream sets up locales, which cost a first prediction 0.1 ms.
std::string read_small_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string text(4096, '\0');
  size_t used = 0;
  while (used < text.size()) {
    const ssize_t n = ::read(fd, text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    used += static_cast<size_t>(n);
    if (used < text.size()) break;  // kernel files give their whole text to the first read
  }
  ::close(fd);
  text.resize(used);
  return text;
}

/// A decimal integer field, surrounding whitespace allowed; false when it is not one.
bool parse_int(std::string_view text, long long& out) {
  const auto first = text.find_first_not_of(" \t\n");
  if (first == std::string_view::npos) return false;
  text.remove_prefix(first);
  text = text.substr(0, text.find_last_not_of(" \t\n") + 1);
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

/// ceil(quota / period) for a positive quota and period, else 0 (no limit).
unsigned cpus_of(long long quota, long long period) {
  if (quota <= 0 || period <= 0) return 0;
  const long long cpus = quota / period + (quota % period != 0);  // no overflow near the max
  return static_cast<unsigned>(std::clamp<long long>(cpus, 1, 1 << 20));
}

/// v2: "max PERIOD" (no limit) or "QUOTA PERIOD".
unsigned quota_v2(const std::filesystem::path& dir) {
  const std::string text = read_small_file(dir / "cpu.max");
  const auto space = text.find(' ');
  if (space == std::string::npos) return 0;
  long long quota = 0, period = 0;
  if (!parse_int(std::string_view(text).substr(0, space), quota)) return 0;  // "max" or junk
  if (!parse_int(std::string_view(text).substr(space + 1), period)) return 0;
  return cpus_of(quota, period);
}

/// v1: cpu.cfs_quota_us (-1: no limit) and cpu.cfs_period_us.
unsigned quota_v1(const std::filesystem::path& dir) {
  long long quota = 0, period = 0;
  if (!parse_int(read_small_file(dir / "cpu.cfs_quota_us"), quota) || quota <= 0) return 0;
  if (!parse_int(read_small_file(dir / "cpu.cfs_period_us"), period)) return 0;
  return cpus_of(quota, period);
}

/// The smallest nonzero of `reader` over `base / path` and each folder above it up to `base`.
/// Folders that do not exist are passed over: inside a container the cgroup filesystem is
/// often mounted at the container's own cgroup while /proc/self/cgroup names the host's path.
template <class Reader>
unsigned smallest_up_the_tree(const std::filesystem::path& base, std::string_view path,
                              Reader reader) {
  unsigned smallest = 0;
  std::filesystem::path relative = std::filesystem::path(path).relative_path();
  for (;;) {
    const unsigned cpus = reader(base / relative);
    if (cpus != 0 && (smallest == 0 || cpus < smallest)) smallest = cpus;
    if (relative.empty()) return smallest;
    relative = relative.parent_path();
  }
}

}  // namespace

unsigned cgroup_cpu_quota(std::string_view proc_self_cgroup, const std::filesystem::path& root) {
  unsigned smallest = 0;
  const auto keep = [&](unsigned cpus) {
    if (cpus != 0 && (smallest == 0 || cpus < smallest)) smallest = cpus;
  };
  // Lines "ID:CONTROLLERS:PATH": "0::PATH" is the v2 hierarchy; a v1 line whose controllers
  // include "cpu" is mounted at root/CONTROLLERS (or root/cpu, which names the same folder).
  std::string_view rest = proc_self_cgroup;
  while (!rest.empty()) {
    const auto eol = rest.find('\n');
    const std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    const auto first = line.find(':');
    const auto second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    const std::string_view controllers = line.substr(first + 1, second - first - 1);
    const std::string_view path = line.substr(second + 1);
    if (line.substr(0, first) == "0" && controllers.empty()) {
      keep(smallest_up_the_tree(root, path, quota_v2));
      keep(smallest_up_the_tree(root / "unified", path, quota_v2));  // a hybrid host
      continue;
    }
    bool has_cpu = false;
    for (std::string_view list = controllers; !list.empty();) {
      const auto comma = list.find(',');
      has_cpu = has_cpu || list.substr(0, comma) == "cpu";
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
    if (has_cpu) {
      keep(smallest_up_the_tree(root / std::string(controllers), path, quota_v1));
      if (controllers != "cpu") keep(smallest_up_the_tree(root / "cpu", path, quota_v1));
    }
  }
  return smallest;
}

unsigned cgroup_cpu_quota() {
#ifdef __linux__
  return cgroup_cpu_quota(read_small_file("/proc/self/cgroup"), "/sys/fs/cgroup");
#else
  return 0;
#endif
}

}  // namespace amber
