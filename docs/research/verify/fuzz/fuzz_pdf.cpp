// Experiment: any bytes as a whole signed PDF, through the qpdf reading the verifier will do
// (sto::detail::read_structure: strict, no recovery). Must never crash; may only refuse.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sto/diagnostics.h"
#include "structure.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)sto::detail::read_structure(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const sto::Error&) {
  }
  return 0;
}
