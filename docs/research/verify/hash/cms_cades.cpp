// CMS_verify(..., empty content BIO, CMS_BINARY | CMS_NO_CONTENT_VERIFY | CMS_CADES): chain, the
// signed attributes' signature and ESS signing-certificate(-v2), without rehashing the content.
//   ./cms_cades SIG.der CA.pem [EXTRA-CERT.pem]
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

int main(int, char** argv) {
  std::ifstream in(argv[1], std::ios::binary);
  std::string der{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  X509_STORE* store = X509_STORE_new();
  X509_STORE_load_file(store, argv[2]);
  X509_VERIFY_PARAM_set_purpose(X509_STORE_get0_param(store), X509_PURPOSE_SMIME_SIGN);
  STACK_OF(X509)* extra = sk_X509_new_null();
  if (argv[3]) {
    FILE* f = std::fopen(argv[3], "r");
    sk_X509_push(extra, PEM_read_X509(f, nullptr, nullptr, nullptr));
    std::fclose(f);
  }
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  CMS_ContentInfo* cms = d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size()));
  BIO* empty = BIO_new_mem_buf("", 0);
  const int ok = CMS_verify(cms, extra, store, empty, nullptr, CMS_BINARY | CMS_NO_CONTENT_VERIFY | CMS_CADES);
  std::printf("%s: CMS_verify(no content, CMS_CADES) = %d\n", argv[1], ok);
  if (!ok) ERR_print_errors_fp(stdout);
  return ok ? 0 : 1;
}
