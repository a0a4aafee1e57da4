// `amber verify`: checks a file's structure, padding, checksums, strings, bools and digest.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/exit_codes.hpp"
#include "cli/text.hpp"
#include "format/hashing.hpp"
#include "format/reader.hpp"

namespace amber::cli {
namespace {

int verify(const VerifyOptions& options) {
  const Reader reader = Reader::open(options.path, options.limits);
  reader.verify(options.threads);
  std::cout << "OK " << digest_hex(reader.footer().content_digest) << ' '
            << terminal_safe(options.path) << '\n';
  return kExitOk;
}

}  // namespace

CLI::App* add_verify_command(CLI::App& app, VerifyOptions& options) {
  CLI::App* command = app.add_subcommand(
      "verify", "Check every byte of a file: structure, checksums, strings, bools and digest");
  command->add_option("FILE", options.path, "The .amber file")->required();
  command->add_option("--threads", options.threads, "Threads to check with (0: all cores)")
      ->check(CLI::Range(0u, 1024u))
      ->capture_default_str();
  add_limit_options(*command, options.limits);
  return command;
}

int run_verify(const VerifyOptions& options) {
  return run_reporting_errors("verify", options.path, [&] { return verify(options); });
}

}  // namespace amber::cli
