// libFuzzer target: any bytes through the whole validation (reader, rules, messages), as an
// agreement and as an amendment of the small sample.
// It must never crash, hang or trip a sanitizer, whatever the input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sto/rules.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto sets = sto::load_rule_sets(STO_SOURCE_DIR "/templates/regelingen");
  const auto v = sto::validate(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.xml", sets);
  for (const auto& finding : v.findings) {
    (void)sto::describe(finding, sto::Taal::nl);
    (void)sto::describe(finding, sto::Taal::en);
  }
  static const sto::WijzigingBasis basis = [] {
    sto::WijzigingBasis b;
    b.in_force = sto::validate_file(STO_SOURCE_DIR "/samples/regio-klein-8.xml", sets).agreement;
    return b;
  }();
  const auto w =
      sto::validate_wijziging(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.xml", basis, sets);
  for (const auto& finding : w.findings) (void)sto::describe(finding, sto::Taal::nl);
  return 0;
}
