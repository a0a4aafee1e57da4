# Third-party libraries, all from Debian packages (see README "Dependencies").
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)   # SHA-256, Ed25519
find_package(simdjson CONFIG REQUIRED)               # manifest parsing, UTF-8 validation
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)      # array compression
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)  # per-array checksums
find_package(CLI11 CONFIG REQUIRED)                  # command line parsing of the amber tool
if(AMBER_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(AMBER_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
