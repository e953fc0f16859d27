// Experiment (docs/research/verify): the structural half of `sto verify` on ONE file, built from
// signing/pades' own check. Revision 0 must equal sto render of the sample byte for byte; then
// each following revision must be exactly what a signing act writes (check_appended) and its
// CMS's messageDigest must be the SHA-256 of its two ranges; nothing may follow the last one.
// Built as a libFuzzer target (the fuzz build), run on single files it prints the verdict.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cms.h"
#include "sto/diagnostics.h"
#include "sto/pki.h"
#include "sto/render.h"
#include "sto/rules.h"
#include "structure.h"

namespace {

const std::string& revision0() {
  static const std::string pdf = [] {
    const auto sets = sto::load_rule_sets(STO_SOURCE_DIR "/templates/regelingen");
    const auto v = sto::validate_file(STO_SOURCE_DIR "/samples/regio-klein-8.xml", sets);
    return sto::render_contract(v.agreement, STO_SOURCE_DIR "/templates").pdf;
  }();
  return pdf;
}

// Throws sto::Error naming what is wrong; returns the number of signatures.
int verify(std::string_view file) {
  const std::string& r0 = revision0();
  if (file.substr(0, r0.size()) != r0) throw sto::Error("revisie 0 is niet wat sto render maakt");
  std::size_t offset = r0.size();
  std::string prefix(r0);
  auto structure = sto::detail::read_structure(prefix);
  int k = 0;
  while (offset < file.size()) {
    ++k;
    // A signing revision ends at the first "%%EOF\n" after its /Contents (the appearance is
    // hex glyph ids, so no "%%EOF" inside); the exact comparison decides the rest.
    const std::size_t contents = file.find("/Contents <", offset);
    const std::size_t eof = contents == std::string_view::npos ? contents : file.find("%%EOF\n", contents);
    const std::string_view bytes = file.substr(offset, eof == std::string_view::npos ? std::string_view::npos : eof + 6 - offset);
    try {
      const auto a = sto::detail::check_appended(bytes, offset, structure, sto::sha256(prefix));
      const std::string covered = sto::sha256(prefix + std::string(bytes.substr(0, a.contents_at)) +
                                              std::string(bytes.substr(a.contents_end)));
      if (sto::detail::message_digest_of(a.cms) != covered) throw sto::Error("messageDigest past niet");
    } catch (const sto::Error& e) {
      throw sto::Error("revisie " + std::to_string(k) + " (byte " + std::to_string(offset) + "): " + e.what());
    }
    prefix.append(bytes);
    offset += bytes.size();
    structure = sto::detail::read_structure(prefix);
  }
  return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const int n = verify(std::string_view(reinterpret_cast<const char*>(data), size));
    if (std::getenv("VERDICT")) std::printf("VERDICT ok: %d revisions\n", n);
  } catch (const sto::Error& e) {
    if (std::getenv("VERDICT")) std::printf("VERDICT refused: %s\n", e.what());
  }
  return 0;
}
