// amber._core signing functions: Ed25519 over the content digest, embedded or detached.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "bindings/bindings.hpp"
#include "format/atomic_file.hpp"
#include "format/error.hpp"
#include "format/hashing.hpp"
#include "format/signature.hpp"

namespace amber::py {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::Io, path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Signs the file at `path`; returns the key id. Embedded unless `detached_path` is given.
std::string sign_file(const std::string& path, const std::string& private_key_pem,
                      const std::optional<std::string>& detached_path) {
  nb::gil_scoped_release release;
  const Reader reader = Reader::open(path);
  reader.verify();
  const Digest& digest = reader.footer().content_digest;
  const Signature signature = sign_digest(digest, private_key_pem);
  if (detached_path) {
    const std::string text = detached_json(digest, {signature});
    write_atomically(*detached_path, [&](int fd) {
      if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        throw Error(ErrorKind::Io, *detached_path + ": cannot write");
      }
    });
    return signature.key_id;
  }
  std::vector<Signature> signatures;
  for (auto& s : parse_signatures(reader.signature_json())) {
    if (s.key_id != signature.key_id) signatures.push_back(s);
  }
  signatures.push_back(signature);
  write_signed(reader, signatures, path);
  return signature.key_id;
}

/// Checks the digest and a signature by `public_key_pem`; returns the digest hex.
std::string verify_signature(const std::string& path, const std::string& public_key_pem,
                             const std::optional<std::string>& signature_path) {
  nb::gil_scoped_release release;
  const Reader reader = Reader::open(path);
  const Digest& digest = reader.footer().content_digest;
  if (reader.compute_digest() != digest) {
    throw Error(ErrorKind::DigestMismatch, "content: does not match the footer's digest");
  }
  const auto signatures = signature_path ? parse_detached(read_text(*signature_path), digest)
                                         : parse_signatures(reader.signature_json());
  verify_signatures(digest, signatures, public_key_pem);
  return digest_hex(digest);
}

}  // namespace

void bind_signature(nb::module_& m) {
  m.def("sign_file", &sign_file, nb::arg("path"), nb::arg("private_key_pem"),
        nb::arg("detached_path") = nb::none(),
        "Signs a file's content digest with an Ed25519 key; returns the key id.");
  m.def("verify_signature", &verify_signature, nb::arg("path"), nb::arg("public_key_pem"),
        nb::arg("signature_path") = nb::none(),
        "Checks the digest and a signature by the key; returns the digest (hex).");
  m.def("generate_keypair", &generate_keypair,
        "A new Ed25519 key pair as PEM text: (private key, public key).");
  m.def(
      "key_id", [](const std::string& pem) { return key_id_of(pem); }, nb::arg("key_pem"),
      "The key id (hex SHA-256 of the raw public key) of a PEM key.");
}

}  // namespace amber::py
