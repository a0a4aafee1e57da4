// Ed25519 signatures over the content digest (docs/format.md §1.3), embedded or detached.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "format/layout.hpp"
#include "format/reader.hpp"

namespace amber {

/// One entry of a signature block.
struct Signature {
  std::string algorithm = "ed25519";
  std::string key_id;     ///< hex SHA-256 of the raw 32-byte public key
  std::string signature;  ///< base64 of the 64-byte Ed25519 signature
};

/// The bytes an Ed25519 key signs for `digest`: a fixed context string, then the digest.
std::string signed_message(const Digest& digest);

/// Signs `digest` with a PEM Ed25519 private key (PKCS#8). Throws Error(InvalidArgument).
Signature sign_digest(const Digest& digest, std::string_view private_key_pem);

/// A new Ed25519 key pair as PEM text: {private (PKCS#8), public (SubjectPublicKeyInfo)}.
std::pair<std::string, std::string> generate_keypair();

/// The key id of a PEM Ed25519 public or private key.
std::string key_id_of(std::string_view key_pem);

/// The signatures of a signature block's JSON text ("" gives none). Throws Error.
std::vector<Signature> parse_signatures(std::string_view json, const Limits& limits = {});
/// A signature block's JSON text for `signatures`.
std::string signature_block_json(const std::vector<Signature>& signatures);

/// Checks that one of `signatures` is a valid signature of `digest` by the PEM public key.
/// Missing, wrong, or by another key: Error(SignatureInvalid) saying which.
void verify_signatures(const Digest& digest, const std::vector<Signature>& signatures,
                       std::string_view public_key_pem);

/// Writes `reader`'s content with `signatures` as its signature block to `path`, atomically.
/// The content and so the digest stay the same.
void write_signed(const Reader& reader, const std::vector<Signature>& signatures,
                  const std::filesystem::path& path);

/// A detached signature file's JSON: {"digest": hex, "signatures": [...]}.
std::string detached_json(const Digest& digest, const std::vector<Signature>& signatures);
/// Reads a detached signature file's JSON; its digest must be `digest`. Throws Error.
std::vector<Signature> parse_detached(std::string_view json, const Digest& digest);

}  // namespace amber
