// Ed25519 through OpenSSL 3: key loading from PEM, signing, verifying, signature blocks.
#include "format/signature.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <simdjson.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "format/atomic_file.hpp"
#include "format/error.hpp"
#include "format/hashing.hpp"
#include "format/json_check.hpp"
#include "format/json_writer.hpp"

namespace amber {
namespace {

constexpr std::string_view kContext = "amber/1 content digest\n";
constexpr size_t kSignatureBytes = 64;

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

Bio bio_of(std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) throw std::bad_alloc();
  return bio;
}

Key checked_ed25519(EVP_PKEY* raw, std::string_view what) {
  Key key(raw, &EVP_PKEY_free);
  if (!key) fail(ErrorKind::InvalidArgument, what, "is not a PEM key OpenSSL can read");
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    fail(ErrorKind::InvalidArgument, what, "is not an Ed25519 key");
  }
  return key;
}

Key private_key(std::string_view pem) {
  auto bio = bio_of(pem);
  return checked_ed25519(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr),
                         "private key");
}

/// A public key from a public PEM, or the public half of a private PEM.
Key public_key(std::string_view pem) {
  auto bio = bio_of(pem);
  if (EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr)) {
    return checked_ed25519(key, "public key");
  }
  return private_key(pem);
}

std::string raw_key_id(EVP_PKEY* key) {
  uint8_t raw[32];
  size_t length = sizeof raw;
  if (EVP_PKEY_get_raw_public_key(key, raw, &length) != 1 || length != sizeof raw) {
    fail(ErrorKind::InvalidArgument, "key", "has no raw Ed25519 public key");
  }
  return digest_hex(sha256({raw, length}));
}

std::string base64(const uint8_t* data, size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  return out;
}

/// Decodes exactly 64 signature bytes; anything else is nullopt.
std::optional<std::vector<uint8_t>> signature_bytes(std::string_view text) {
  if (text.size() != 4 * ((kSignatureBytes + 2) / 3)) return std::nullopt;
  std::vector<uint8_t> out(text.size());
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  // EVP_DecodeBlock counts the '=' padding as zero bytes: 88 characters give 66.
  if (n != 66 || text.substr(text.size() - 2) != "==") return std::nullopt;
  out.resize(kSignatureBytes);
  // Decoders ignore the unused low bits of the last character: only the canonical text counts,
  // so that no byte of a signed file can change without failing verification.
  if (base64(out.data(), out.size()) != text) return std::nullopt;
  return out;
}

bool verify_one(EVP_PKEY* key, const std::string& message, const std::vector<uint8_t>& sig) {
  MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1) {
    throw std::bad_alloc();
  }
  return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(),
                          reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

std::string string_member(simdjson::dom::element e, const char* key, const std::string& where) {
  std::string_view value;
  if (e[key].get(value)) fail(ErrorKind::InvalidManifest, where, std::string("no \"") + key + "\"");
  return std::string(value);
}

std::vector<Signature> signatures_of(simdjson::dom::element root, std::string_view where) {
  simdjson::dom::array list;
  if (root["signatures"].get(list)) {
    fail(ErrorKind::InvalidManifest, where, "has no \"signatures\" list");
  }
  std::vector<Signature> out;
  for (auto item : list) {
    const std::string at = std::string(where) + " entry " + std::to_string(out.size());
    out.push_back({string_member(item, "algorithm", at), string_member(item, "key_id", at),
                   string_member(item, "signature", at)});
  }
  return out;
}

void write_all(int fd, std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), std::min<size_t>(bytes.size(), 1 << 30));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(ErrorKind::Io, "write", std::strerror(errno));
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
}

std::string pem_of(EVP_PKEY* key, bool private_part) {
  Bio bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio) throw std::bad_alloc();
  const int ok =
      private_part ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                   : PEM_write_bio_PUBKEY(bio.get(), key);
  if (ok != 1) throw Error(ErrorKind::Io, "keygen: OpenSSL could not write the key");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

std::pair<std::string, std::string> generate_keypair() {
  Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), &EVP_PKEY_free);
  if (!key) throw Error(ErrorKind::Io, "keygen: OpenSSL could not make a key");
  return {pem_of(key.get(), true), pem_of(key.get(), false)};
}

std::string signed_message(const Digest& digest) {
  std::string message(kContext);
  message.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return message;
}

Signature sign_digest(const Digest& digest, std::string_view private_key_pem) {
  Key key = private_key(private_key_pem);
  const std::string message = signed_message(digest);
  MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  uint8_t sig[kSignatureBytes];
  size_t length = sizeof sig;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    fail(ErrorKind::InvalidArgument, "private key", "OpenSSL could not sign with it");
  }
  return {"ed25519", raw_key_id(key.get()), base64(sig, length)};
}

std::string key_id_of(std::string_view key_pem) { return raw_key_id(public_key(key_pem).get()); }

std::vector<Signature> parse_signatures(std::string_view json, const Limits& limits) {
  if (json.empty()) return {};
  JsonDocument doc(json, "signature block", limits);
  return signatures_of(doc.root(), "signature block");
}

std::string signature_block_json(const std::vector<Signature>& signatures) {
  std::string out = "{\"signatures\":[";
  for (size_t i = 0; i < signatures.size(); ++i) {
    if (i) out += ',';
    out += "{\"algorithm\":";
    append_json_string(out, signatures[i].algorithm);
    out += ",\"key_id\":";
    append_json_string(out, signatures[i].key_id);
    out += ",\"signature\":";
    append_json_string(out, signatures[i].signature);
    out += '}';
  }
  return out + "]}";
}

void verify_signatures(const Digest& digest, const std::vector<Signature>& signatures,
                       std::string_view public_key_pem) {
  Key key = public_key(public_key_pem);
  const std::string id = raw_key_id(key.get());
  if (signatures.empty()) fail(ErrorKind::SignatureInvalid, "signature", "the file is not signed");
  const std::string message = signed_message(digest);
  bool by_this_key = false;
  for (const auto& s : signatures) {
    if (s.algorithm != "ed25519" || s.key_id != id) continue;
    by_this_key = true;
    auto bytes = signature_bytes(s.signature);
    if (bytes && verify_one(key.get(), message, *bytes)) return;
  }
  fail(ErrorKind::SignatureInvalid, "signature",
       by_this_key ? "the signature by key " + id.substr(0, 16) + "... does not match the content"
                   : "no signature by key " + id.substr(0, 16) + "...; signed by other keys only");
}

void write_signed(const Reader& reader, const std::vector<Signature>& signatures,
                  const std::filesystem::path& path) {
  const std::string block = signatures.empty() ? std::string() : signature_block_json(signatures);
  Footer footer = reader.footer();
  footer.signature_length = block.size();
  const auto content = reader.file_bytes().first(reader.header().content_end());
  write_atomically(path, [&](int fd) {
    write_all(fd, content);
    write_all(fd, {reinterpret_cast<const uint8_t*>(block.data()), block.size()});
    write_all(fd, encode_footer(footer));
  });
}

std::string detached_json(const Digest& digest, const std::vector<Signature>& signatures) {
  std::string block = signature_block_json(signatures);
  return "{\"digest\":\"" + digest_hex(digest) + "\"," + block.substr(1) + "\n";
}

std::vector<Signature> parse_detached(std::string_view json, const Digest& digest) {
  JsonDocument doc(json, "signature file", Limits{});
  if (string_member(doc.root(), "digest", "signature file") != digest_hex(digest)) {
    fail(ErrorKind::SignatureInvalid, "signature file", "is for another content digest");
  }
  return signatures_of(doc.root(), "signature file");
}

}  // namespace amber
