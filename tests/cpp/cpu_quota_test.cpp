// cgroup_cpu_quota over fake cgroup trees: v2 and v1 files, the smallest quota up the tree,
// folders a container does not see, and no quota or unreadable files giving 0.
#include "format/cpu_quota.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;

class CgroupTree : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("amber-cgroup-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const fs::path& relative, const std::string& text) {
    fs::create_directories((root_ / relative).parent_path());
    std::ofstream(root_ / relative) << text;
  }

  fs::path root_;
};

TEST_F(CgroupTree, V2TakesTheSmallestQuotaUpTheTree) {
  write("cpu.max", "max 100000\n");
  write("kubepods/cpu.max", "800000 100000\n");
  write("kubepods/pod1/cpu.max", "250000 100000\n");  // 2.5 CPUs: 3 threads
  write("kubepods/pod1/box/cpu.max", "max 100000\n");
  EXPECT_EQ(amber::cgroup_cpu_quota("0::/kubepods/pod1/box\n", root_), 3u);
  EXPECT_EQ(amber::cgroup_cpu_quota("0::/kubepods\n", root_), 8u);
}

TEST_F(CgroupTree, NoQuotaIsZero) {
  write("cpu.max", "max 100000\n");
  write("a/cpu.max", "max 100000\n");
  EXPECT_EQ(amber::cgroup_cpu_quota("0::/a\n", root_), 0u);
  EXPECT_EQ(amber::cgroup_cpu_quota("", root_), 0u);
  EXPECT_EQ(amber::cgroup_cpu_quota("0::/not/there\n", root_), 0u);
}

TEST_F(CgroupTree, AQuotaUnderOneCpuStillGivesOne) {
  write("cpu.max", "50000 100000\n");
  EXPECT_EQ(amber::cgroup_cpu_quota("0::/\n", root_), 1u);
}

TEST_F(CgroupTree, HugeQuotasDoNotOverflow) {
  write("cpu.max", "9223372036854775807 100000\n");
  EXPECT_EQ(amber::cgroup_cpu_quota("0::/\n", root_), 1u << 20);  // capped, not wrapped
  write("a/cpu.max", "9223372036854775808 100000\n");             // beyond long long: junk
  EXPECT_EQ(amber::cgroup_cpu_quota("0::/a\n", root_), 1u << 20);
}

TEST_F(CgroupTree, V1ReadsTheCpuControllersFolder) {
  write("cpu,cpuacct/docker/x/cpu.cfs_quota_us", "150000\n");
  write("cpu,cpuacct/docker/x/cpu.cfs_period_us", "100000\n");
  const std::string lines = "4:memory:/docker/x\n3:cpu,cpuacct:/docker/x\n0::/\n";
  EXPECT_EQ(amber::cgroup_cpu_quota(lines, root_), 2u);
}

TEST_F(CgroupTree, V1InAContainerFindsItsOwnRoot) {
  // The container sees its cgroup mounted at the root, while /proc/self/cgroup names the
  // host's path: the folders named there do not exist.
  write("cpu/cpu.cfs_quota_us", "400000\n");
  write("cpu/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(amber::cgroup_cpu_quota("1:cpu:/docker/abc\n", root_), 4u);
}

TEST_F(CgroupTree, V1MountedAtCpuAlone) {
  // Some hosts mount the joint cpu,cpuacct hierarchy at /sys/fs/cgroup/cpu only.
  write("cpu/cpu.cfs_quota_us", "300000\n");
  write("cpu/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(amber::cgroup_cpu_quota("3:cpu,cpuacct:/\n", root_), 3u);
}

TEST_F(CgroupTree, V1MinusOneIsNoQuota) {
  write("cpu/cpu.cfs_quota_us", "-1\n");
  write("cpu/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(amber::cgroup_cpu_quota("1:cpu:/\n", root_), 0u);
}

TEST_F(CgroupTree, MalformedFilesAreIgnored) {
  write("cpu.max", "lots 100000\n");
  write("a/cpu.max", "200000\n");
  write("a/b/cpu.max", "200000 zero\n");
  write("cpu/cpu.cfs_quota_us", "12x\n");
  write("cpu/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(amber::cgroup_cpu_quota("0::/a/b\n1:cpu:/\nnot a line\n", root_), 0u);
}

TEST_F(CgroupTree, TheSmallerOfV1AndV2OnAHybridHost) {
  write("unified/cpu.max", "600000 100000\n");
  write("cpu/cpu.cfs_quota_us", "200000\n");
  write("cpu/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(amber::cgroup_cpu_quota("1:cpu:/\n0::/\n", root_), 2u);
}

// mountinfo lines as the kernel writes them: ID PARENT MAJ:MIN ROOT POINT OPTIONS - TYPE SRC SUPER
std::string mount_line(const std::string& root, const fs::path& point, const std::string& type,
                       const std::string& super) {
  std::string escaped;  // the kernel writes a space as \040
  for (char c : point.string()) escaped += c == ' ' ? std::string("\\040") : std::string(1, c);
  return "30 25 0:26 " + root + " " + escaped + " rw,nosuid,relatime shared:9 - " + type +
         " cgroup " + super + "\n";
}

TEST_F(CgroupTree, V1AtAMountPointOnlyMountinfoNames) {
  write("elsewhere/cpu stuff/box/cpu.cfs_quota_us", "150000\n");
  write("elsewhere/cpu stuff/box/cpu.cfs_period_us", "100000\n");
  const std::string mounts =
      mount_line("/", "/proc", "proc", "rw") +
      mount_line("/", root_ / "elsewhere/mem", "cgroup", "rw,memory") +
      mount_line("/", root_ / "elsewhere/cpu stuff", "cgroup", "rw,cpu,cpuacct");
  EXPECT_EQ(amber::cgroup_cpu_quota("3:cpu,cpuacct:/box\n", mounts, root_), 2u);
  // Without mountinfo the usual places are empty: no quota found.
  EXPECT_EQ(amber::cgroup_cpu_quota("3:cpu,cpuacct:/box\n", root_), 0u);
}

TEST_F(CgroupTree, V2PathsAreTakenRelativeToTheMountsRoot) {
  // The mount shows /kubepods/pod1 of the hierarchy at its point: /kubepods/pod1/ctr is
  // point/ctr there, and point itself is the pod's limit.
  write("v2/cpu.max", "300000 100000\n");
  write("v2/ctr/cpu.max", "150000 100000\n");
  write("v2/kubepods/pod1/ctr/cpu.max", "900000 100000\n");  // a decoy the mapping must skip
  const std::string mounts = mount_line("/kubepods/pod1", root_ / "v2", "cgroup2", "rw");
  EXPECT_EQ(amber::cgroup_cpu_quota("0::/kubepods/pod1/ctr\n", mounts, root_), 2u);
  // A mount root that only shares a prefix with the path ("/kubepods/pod10") is not its parent.
  const std::string other = mount_line("/kubepods/pod", root_ / "v2", "cgroup2", "rw");
  write("v2/kubepods/pod1/ctr/cpu.max", "max 100000\n");
  write("v2/1/cpu.max", "100000 100000\n");  // what "/kubepods/pod" + "1/ctr" would read
  EXPECT_EQ(amber::cgroup_cpu_quota("0::/kubepods/pod1/ctr\n", other, root_), 3u);
}

TEST_F(CgroupTree, MountinfoLinesThatAreNoCgroupMountsAreSkipped) {
  write("cpu.max", "200000 100000\n");
  const std::string mounts = "garbage\n30 25 0:26 / /x rw - cgroup2\n" +
                             mount_line("/", root_ / "v1", "cgroup", "rw,memory");
  // No cgroup2 mount listed: the usual place (root) is read.
  EXPECT_EQ(amber::cgroup_cpu_quota("0::/\n", mounts, root_), 2u);
}

}  // namespace
