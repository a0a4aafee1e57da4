// The amber subcommands: their options, how they are added to the parser, and how they run.
#pragma once

#include <string>

#include "format/limits.hpp"

namespace CLI {
class App;
}

namespace amber::cli {

/// Options of `amber inspect`.
struct InspectOptions {
  std::string path;
  bool json = false;   ///< one JSON object for machines instead of the report for people
  bool graph = false;  ///< include the whole object graph, not only its summary
  Limits limits;
};

/// Options of `amber verify`.
struct VerifyOptions {
  std::string path;
  unsigned threads = 0;  ///< 0: as many as the hardware has
  Limits limits;
};

/// Adds `inspect` to `app`, its options bound to `options`.
CLI::App* add_inspect_command(CLI::App& app, InspectOptions& options);
/// Runs `amber inspect`; returns the exit code. Reports its own errors.
int run_inspect(const InspectOptions& options);

/// Adds `verify` to `app`, its options bound to `options`.
CLI::App* add_verify_command(CLI::App& app, VerifyOptions& options);
/// Runs `amber verify`; returns the exit code. Reports its own errors.
int run_verify(const VerifyOptions& options);

}  // namespace amber::cli
