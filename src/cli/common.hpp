// What the subcommands share: limit options, and turning failures into a message and exit code.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "format/limits.hpp"

namespace CLI {
class App;
}

namespace amber::cli {

/// Adds --max-manifest-bytes and --max-decoded-bytes (sizes like 64MiB) bound to `limits`.
void add_limit_options(CLI::App& command, Limits& limits);

/// Runs `body` and returns its exit code; any failure is reported on stderr as
/// "amber COMMAND: PATH: message" and turned into the exit code of docs/format.md §6.
int run_reporting_errors(std::string_view command, std::string_view path,
                         const std::function<int()>& body);

/// The whole content of a small text file (a key, a signature). Throws Error(Io).
std::string read_text_file(const std::string& path);

/// Prints "amber COMMAND: PATH: message" on stderr, made safe for a terminal.
void report_failure(std::string_view command, std::string_view path, std::string_view message);

}  // namespace amber::cli
