// The CPU quota of the process's cgroup: how many CPUs' worth of time it may use.
#pragma once

#include <filesystem>
#include <string_view>

namespace amber {

/// The CPUs a cgroup CPU quota allows this process (Linux): the smallest ceil(quota / period)
/// over its cgroup and the cgroups above it, from cgroup v2 `cpu.max` or v1
/// `cpu.cfs_quota_us` and `cpu.cfs_period_us`. 0 when no quota applies or none can be read.
unsigned cgroup_cpu_quota();

/// The same from the text of /proc/self/cgroup and /proc/self/mountinfo, which says where each
/// hierarchy is mounted and which of its folders the mount shows. Hierarchies mountinfo does not
/// list (or an empty mountinfo) are looked for where they usually are, under `root`
/// (/sys/fs/cgroup). Tests give trees of their own.
unsigned cgroup_cpu_quota(std::string_view proc_self_cgroup, std::string_view mountinfo,
                          const std::filesystem::path& root);
/// The same with the usual mount points under `root` only (no mountinfo).
unsigned cgroup_cpu_quota(std::string_view proc_self_cgroup, const std::filesystem::path& root);

}  // namespace amber
