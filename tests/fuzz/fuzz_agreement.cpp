// libFuzzer target: any bytes through the whole validation (reader, rules, messages).
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
  return 0;
}
