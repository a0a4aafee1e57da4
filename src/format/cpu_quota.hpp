// The CPU quota of the process's cgroup: how many CPUs' worth of time it may use.
#pragma once

#include <filesystem>
#include <string_view>

namespace amber {

/// The CPUs a cgroup CPU quota allows this process (Linux): the smallest ceil(quota / period)
/// over its cgroup and the cgroups above it, from cgroup v2 `cpu.max` or v1
/// `cpu.cfs_quota_us` and `cpu.cfs_period_us`. 0 when no quota applies or none can be read.
unsigned cgroup_cpu_quota();

/// The same from the text of /proc/self/cgroup and the root of the cgroup filesystems
/// (/sys/fs/cgroup): tests give a tree of their own.
unsigned cgroup_cpu_quota(std::string_view proc_self_cgroup, const std::filesystem::path& root);

}  // namespace amber
