// Fuzz harness: any bytes as a signing revision appended to the small sample's contract,
// through the strict check every revision read from disk passes (and, when it passes, qpdf's
// strict reading of the whole file). It must never crash, hang or trip a sanitizer; it may only
// refuse. Seeds: real revisions in tests/fuzz/revisions/.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sto/diagnostics.h"
#include "sto/pki.h"
#include "sto/render.h"
#include "sto/rules.h"
#include "structure.h"

namespace {

struct Contract {
  std::string revision0;
  sto::detail::Structure structure;
  std::string sha256;
};

const Contract& contract() {
  static const Contract c = [] {
    const auto sets = sto::load_rule_sets(STO_SOURCE_DIR "/templates/regelingen");
    const auto v = sto::validate_file(STO_SOURCE_DIR "/samples/regio-klein-8.xml", sets);
    std::string pdf = sto::render_contract(v.agreement, STO_SOURCE_DIR "/templates").pdf;
    auto structure = sto::detail::read_structure(pdf);
    std::string digest = sto::sha256(pdf);
    return Contract{std::move(pdf), std::move(structure), std::move(digest)};
  }();
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Contract& c = contract();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    sto::detail::check_appended(bytes, c.revision0.size(), c.structure, c.sha256);
    (void)sto::detail::read_structure(c.revision0 + std::string(bytes));
  } catch (const sto::Error&) {
  }
  return 0;
}
