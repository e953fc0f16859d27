// One pass of SHA-256 over a signed PDF gives every signature's messageDigest: the running
// context is copied (EVP_MD_CTX_copy_ex) at each /Contents gap and then fed the bytes after the
// gap up to the end of that revision. Compares with each CMS's messageDigest and with the naive
// way (hashing each signature's two ranges from scratch).
//   g++ -std=c++20 -O2 hash_once.cpp -lcrypto -o hash_once && ./hash_once getekend.pdf
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <vector>

struct Range { std::size_t b, c, d; };  // [0,b) + [c,c+d)

static std::string hex_to_der(const std::string& pdf, const Range& r) {
  std::string der;
  for (std::size_t i = r.b + 1; i + 1 < r.c - 1; i += 2) der += static_cast<char>(std::stoi(pdf.substr(i, 2), nullptr, 16));
  return der;
}

static std::string message_digest(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  CMS_ContentInfo* cms = d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size()));
  auto* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
  const auto* md = static_cast<const ASN1_OCTET_STRING*>(
      CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
  std::string out(reinterpret_cast<const char*>(ASN1_STRING_get0_data(md)), static_cast<std::size_t>(ASN1_STRING_length(md)));
  CMS_ContentInfo_free(cms);
  return out;
}

static std::string final_of(EVP_MD_CTX* c) {
  unsigned char md[32]; unsigned n = 0;
  EVP_DigestFinal_ex(c, md, &n);
  return {reinterpret_cast<char*>(md), n};
}

int main(int, char** argv) {
  std::ifstream in(argv[1], std::ios::binary);
  const std::string pdf{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::vector<Range> ranges;
  const std::regex br(R"(/ByteRange \[0 (\d+) (\d+) (\d+)\s*\])");
  for (auto it = std::sregex_iterator(pdf.begin(), pdf.end(), br); it != std::sregex_iterator(); ++it)
    ranges.push_back({std::stoul((*it)[1]), std::stoul((*it)[2]), std::stoul((*it)[3])});

  const auto t0 = std::chrono::steady_clock::now();
  // One pass: `main` hashes the whole file; at gap k a copy takes over for [c_k, c_k+d_k).
  std::vector<std::string> once;
  std::size_t hashed = 0, at = 0;
  EVP_MD_CTX* main_ctx = EVP_MD_CTX_new();
  EVP_MD_CTX* sig = EVP_MD_CTX_new();
  EVP_DigestInit_ex(main_ctx, EVP_sha256(), nullptr);
  for (const Range& r : ranges) {
    EVP_DigestUpdate(main_ctx, pdf.data() + at, r.b - at);  // up to this /Contents
    hashed += r.b - at;
    EVP_MD_CTX_copy_ex(sig, main_ctx);
    EVP_DigestUpdate(sig, pdf.data() + r.c, r.d);  // the rest of this revision, for this signature
    hashed += r.d;
    once.push_back(final_of(sig));
    at = r.b;  // main goes on through the gap and the rest: later signatures cover them
  }
  EVP_DigestUpdate(main_ctx, pdf.data() + at, pdf.size() - at);
  hashed += pdf.size() - at;
  const auto t1 = std::chrono::steady_clock::now();

  // Naive: each signature's ranges from scratch.
  std::size_t naive_bytes = 0;
  std::vector<std::string> naive;
  for (const Range& r : ranges) {
    EVP_DigestInit_ex(sig, EVP_sha256(), nullptr);
    EVP_DigestUpdate(sig, pdf.data(), r.b);
    EVP_DigestUpdate(sig, pdf.data() + r.c, r.d);
    naive_bytes += r.b + r.d;
    naive.push_back(final_of(sig));
  }
  const auto t2 = std::chrono::steady_clock::now();

  std::size_t match = 0;
  for (std::size_t k = 0; k < ranges.size(); ++k)
    match += once[k] == naive[k] && once[k] == message_digest(hex_to_der(pdf, ranges[k]));
  const auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  std::printf("%zu signatures, file %zu B; one pass hashed %zu B (%.3f x file) in %.2f ms; naive %zu B (%.1f x) in %.2f ms; "
              "messageDigest matches: %zu/%zu\n",
              ranges.size(), pdf.size(), hashed, double(hashed) / double(pdf.size()), ms(t0, t1), naive_bytes,
              double(naive_bytes) / double(pdf.size()), ms(t1, t2), match, ranges.size());
  EVP_MD_CTX_free(main_ctx); EVP_MD_CTX_free(sig);
  return match == ranges.size() ? 0 : 1;
}
