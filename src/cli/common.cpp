// What the subcommands share: limit options, and turning failures into a message and exit code.
#include "cli/common.hpp"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <new>
#include <sstream>
#include <string>

#include "cli/exit_codes.hpp"
#include "cli/text.hpp"
#include "format/error.hpp"

namespace amber::cli {

void add_limit_options(CLI::App& command, Limits& limits) {
  command
      .add_option("--max-manifest-bytes", limits.max_manifest_bytes,
                  "Refuse a manifest longer than this (e.g. 64MiB)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  command
      .add_option("--max-decoded-bytes", limits.max_decoded_bytes,
                  "Refuse files whose compressed arrays decode to more than this (e.g. 16GiB)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
}

void report_failure(std::string_view command, std::string_view path, std::string_view message) {
  const std::string prefix = std::string(path) + ": ";
  // Io messages already start with the path: say it once.
  const std::string line =
      message.starts_with(prefix) ? std::string(message) : prefix + std::string(message);
  std::cerr << "amber " << command << ": " << terminal_safe(line) << '\n';
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::Io, path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw Error(ErrorKind::Io, path + ": cannot read");
  return text.str();
}

int run_reporting_errors(std::string_view command, std::string_view path,
                         const std::function<int()>& body) {
  try {
    return body();
  } catch (const Error& error) {
    report_failure(command, path, error.what());
    return exit_code_for(error.kind());
  } catch (const std::bad_alloc&) {
    report_failure(command, path, "out of memory");
  } catch (const std::exception& error) {
    report_failure(command, path, std::string("internal error: ") + error.what());
  }
  return kExitInternal;
}

}  // namespace amber::cli
