// A container limited by CPU time (Kubernetes CPU limits) rather than by a cpuset sees every CPU
// of its host in its affinity mask: helper threads beyond its quota only get throttled. Where
// the cgroup files are comes from /proc/self/mountinfo, as the JVM and Go's automaxprocs read it.
#include "format/cpu_quota.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <string>
#include <system_error>
#include <vector>

namespace amber {
namespace {

/// The first `max` bytes of a file, or "" when it cannot be read. Plain system calls: the first
/// use of an iostream sets up locales, which cost a first prediction 0.1 ms.
std::string read_small_file(const std::filesystem::path& path, size_t max = 4096) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string text(std::min<size_t>(max, 4096), '\0');
  size_t used = 0;
  for (;;) {
    if (used == text.size()) {
      if (used >= max) break;
      text.resize(std::min(max, 2 * used));  // mountinfo grows with every mount
    }
    const ssize_t n = ::read(fd, text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // /proc files end with a read of 0
    used += static_cast<size_t>(n);
  }
  ::close(fd);
  text.resize(used);
  return text;
}

/// The lines of `text`, one at a time.
class Lines {
 public:
  explicit Lines(std::string_view text) : rest_(text) {}
  bool next(std::string_view& line) {
    if (rest_.empty()) return false;
    const auto eol = rest_.find('\n');
    line = rest_.substr(0, eol);
    rest_ = eol == std::string_view::npos ? std::string_view() : rest_.substr(eol + 1);
    return true;
  }

 private:
  std::string_view rest_;
};

/// Whether the comma-separated `list` holds `item`.
bool has_item(std::string_view list, std::string_view item) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (list.substr(0, comma) == item) return true;
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return false;
}

/// A mountinfo path field: spaces, tabs, newlines and backslashes come as octal escapes.
std::string unescape(std::string_view field) {
  const auto octal = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && octal(field[i + 1]) && octal(field[i + 2]) &&
        octal(field[i + 3])) {
      out += static_cast<char>(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) |
                               (field[i + 3] - '0'));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

/// A cgroup hierarchy's mount: the folder of the hierarchy it shows (`root`) and where.
struct CgroupMount {
  std::string root;
  std::filesystem::path point;
};

/// The cgroup2 mounts (`v2`) and the cgroup v1 mounts with the cpu controller in mountinfo:
/// "ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER_OPTIONS".
void find_mounts(std::string_view mountinfo, std::vector<CgroupMount>& v2,
                 std::vector<CgroupMount>& v1_cpu) {
  Lines lines(mountinfo);
  for (std::string_view line; lines.next(line);) {
    const auto dash = line.find(" - ");
    if (dash == std::string_view::npos) continue;
    std::string_view fields[5];
    std::string_view before = line.substr(0, dash);
    size_t n = 0;
    while (n < 5 && !before.empty()) {
      const auto space = before.find(' ');
      fields[n++] = before.substr(0, space);
      before = space == std::string_view::npos ? std::string_view() : before.substr(space + 1);
    }
    if (n < 5) continue;
    const std::string_view after = line.substr(dash + 3);
    const auto fstype_end = after.find(' ');
    const auto source_end =
        fstype_end == std::string_view::npos ? fstype_end : after.find(' ', fstype_end + 1);
    if (source_end == std::string_view::npos) continue;  // not a line the kernel writes
    const std::string_view fstype = after.substr(0, fstype_end);
    const std::string_view super_options = after.substr(source_end + 1);
    CgroupMount mount{unescape(fields[3]), unescape(fields[4])};
    if (fstype == "cgroup2") v2.push_back(std::move(mount));
    if (fstype == "cgroup" && has_item(super_options, "cpu")) v1_cpu.push_back(std::move(mount));
  }
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

/// The smallest quota of `reader` for cgroup `path` under `mount`: the mount shows the folder
/// mount.root of the hierarchy, so the path is taken relative to it. A path outside it (a
/// cgroup namespace names paths from its own root) is looked for under the mount as it is.
template <class Reader>
unsigned quota_under(const CgroupMount& mount, std::string_view path, Reader reader) {
  const std::string_view root = mount.root == "/" ? std::string_view() : mount.root;
  const bool inside = path.substr(0, root.size()) == root &&
                      (path.size() == root.size() || path[root.size()] == '/');
  return smallest_up_the_tree(mount.point, inside ? path.substr(root.size()) : path, reader);
}

}  // namespace

unsigned cgroup_cpu_quota(std::string_view proc_self_cgroup, std::string_view mountinfo,
                          const std::filesystem::path& root) {
  std::vector<CgroupMount> v2_mounts, v1_cpu_mounts;
  find_mounts(mountinfo, v2_mounts, v1_cpu_mounts);
  unsigned smallest = 0;
  const auto keep = [&](unsigned cpus) {
    if (cpus != 0 && (smallest == 0 || cpus < smallest)) smallest = cpus;
  };
  // Lines "ID:CONTROLLERS:PATH": "0::PATH" is the v2 hierarchy; a v1 line whose controllers
  // include "cpu" is the v1 cpu hierarchy. Without its mount in mountinfo, a hierarchy is
  // looked for at root (v2; root/unified on a hybrid host) or root/CONTROLLERS and root/cpu
  // (v1, two names of one folder).
  Lines lines(proc_self_cgroup);
  for (std::string_view line; lines.next(line);) {
    const auto first = line.find(':');
    const auto second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    const std::string_view controllers = line.substr(first + 1, second - first - 1);
    const std::string_view path = line.substr(second + 1);
    if (line.substr(0, first) == "0" && controllers.empty()) {
      for (const CgroupMount& mount : v2_mounts) keep(quota_under(mount, path, quota_v2));
      if (v2_mounts.empty()) {
        keep(smallest_up_the_tree(root, path, quota_v2));
        keep(smallest_up_the_tree(root / "unified", path, quota_v2));
      }
    } else if (has_item(controllers, "cpu")) {
      for (const CgroupMount& mount : v1_cpu_mounts) keep(quota_under(mount, path, quota_v1));
      if (v1_cpu_mounts.empty()) {
        keep(smallest_up_the_tree(root / std::string(controllers), path, quota_v1));
        if (controllers != "cpu") keep(smallest_up_the_tree(root / "cpu", path, quota_v1));
      }
    }
  }
  return smallest;
}

unsigned cgroup_cpu_quota(std::string_view proc_self_cgroup, const std::filesystem::path& root) {
  return cgroup_cpu_quota(proc_self_cgroup, {}, root);
}

unsigned cgroup_cpu_quota() {
#ifdef __linux__
  // A host with many containers has thousands of mounts: 1 MiB of mountinfo is ample.
  return cgroup_cpu_quota(read_small_file("/proc/self/cgroup"),
                          read_small_file("/proc/self/mountinfo", size_t{1} << 20),
                          "/sys/fs/cgroup");
#else
  return 0;
#endif
}

}  // namespace amber
