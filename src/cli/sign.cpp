// `amber sign` and `amber keygen`: Ed25519 signatures over a file's content digest.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/exit_codes.hpp"
#include "cli/text.hpp"
#include "format/atomic_file.hpp"
#include "format/error.hpp"
#include "format/reader.hpp"
#include "format/signature.hpp"

namespace amber::cli {
namespace {

void write_text_atomically(const std::string& path, const std::string& text) {
  write_atomically(path, [&](int fd) {
    if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      throw Error(ErrorKind::Io, path + ": cannot write");
    }
  });
}

int sign(const SignOptions& options) {
  const Reader reader = Reader::open(options.path);
  reader.verify();  // never sign a damaged file
  const Digest& digest = reader.footer().content_digest;
  const Signature signature = sign_digest(digest, read_text_file(options.private_key));
  if (options.detached) {
    const std::string out = options.output.empty() ? options.path + ".sig" : options.output;
    write_text_atomically(out, detached_json(digest, {signature}));
    std::cout << "signed " << terminal_safe(options.path) << " -> " << terminal_safe(out) << '\n';
    return kExitOk;
  }
  // Keep the signatures of other keys; replace an older one by the same key.
  std::vector<Signature> signatures;
  for (auto& s : parse_signatures(reader.signature_json())) {
    if (s.key_id != signature.key_id) signatures.push_back(s);
  }
  signatures.push_back(signature);
  const std::string out = options.output.empty() ? options.path : options.output;
  write_signed(reader, signatures, out);
  std::cout << "signed " << terminal_safe(out) << " key " << signature.key_id.substr(0, 16) << '\n';
  return kExitOk;
}

int keygen(const KeygenOptions& options) {
  const auto [private_pem, public_pem] = generate_keypair();
  write_text_atomically(options.prefix + ".pem", private_pem);
  write_text_atomically(options.prefix + ".pub.pem", public_pem);
  std::cout << "wrote " << terminal_safe(options.prefix) << ".pem (private) and "
            << terminal_safe(options.prefix) << ".pub.pem (public)\n";
  return kExitOk;
}

}  // namespace

CLI::App* add_sign_command(CLI::App& app, SignOptions& options) {
  CLI::App* command = app.add_subcommand(
      "sign", "Sign a file's content digest with an Ed25519 key (embedded, or --detached)");
  command->add_option("FILE", options.path, "The .amber file")->required();
  command->add_option("--key", options.private_key, "Ed25519 private key (PEM)")->required();
  command->add_flag("--detached", options.detached, "Write FILE.sig instead of embedding");
  command->add_option("-o,--output", options.output, "Where to write (default: in place)");
  return command;
}

int run_sign(const SignOptions& options) {
  return run_reporting_errors("sign", options.path, [&] { return sign(options); });
}

CLI::App* add_keygen_command(CLI::App& app, KeygenOptions& options) {
  CLI::App* command =
      app.add_subcommand("keygen", "Make an Ed25519 key pair: PREFIX.pem and PREFIX.pub.pem");
  command->add_option("PREFIX", options.prefix, "Path prefix of the two key files")->required();
  return command;
}

int run_keygen(const KeygenOptions& options) {
  return run_reporting_errors("keygen", options.prefix, [&] { return keygen(options); });
}

}  // namespace amber::cli
