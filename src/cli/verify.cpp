// `amber verify`: checks a file's structure, padding, checksums, strings, bools and digest.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/exit_codes.hpp"
#include "cli/text.hpp"
#include "format/hashing.hpp"
#include "format/reader.hpp"
#include "format/signature.hpp"

namespace amber::cli {
namespace {

/// Checks the signature the options ask for, embedded or detached; returns what to print.
std::string check_signature(const Reader& reader, const VerifyOptions& options) {
  if (options.public_key.empty()) return "";
  const Digest& digest = reader.footer().content_digest;
  const auto signatures = options.signature.empty()
                              ? parse_signatures(reader.signature_json())
                              : parse_detached(read_text_file(options.signature), digest);
  verify_signatures(digest, signatures, read_text_file(options.public_key));
  return " signed-by " + key_id_of(read_text_file(options.public_key)).substr(0, 16);
}

int verify(const VerifyOptions& options) {
  const Reader reader = Reader::open(options.path, options.limits);
  reader.verify(options.threads);
  const std::string signed_by = check_signature(reader, options);
  std::cout << "OK " << digest_hex(reader.footer().content_digest) << ' '
            << terminal_safe(options.path) << signed_by << '\n';
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
  command->add_option("--key", options.public_key,
                      "Also require a valid signature by this Ed25519 public key (PEM)");
  command
      ->add_option("--signature", options.signature,
                   "A detached signature file to check instead of the embedded block")
      ->needs("--key");
  add_limit_options(*command, options.limits);
  return command;
}

int run_verify(const VerifyOptions& options) {
  return run_reporting_errors("verify", options.path, [&] { return verify(options); });
}

}  // namespace amber::cli
