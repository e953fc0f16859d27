// Minimal proof (docs/research/verify): a libFuzzer target whose code path is qpdf reading the
// input. C++20 with clang needs the JSON.hh overlay (QpdfCxx20Overlay.cmake) or -std=c++17:
//   clang++ -std=c++20 -isystem OVERLAY -DPOINTERHOLDER_TRANSITION=4 -g -O1 \
//     -fsanitize=fuzzer,address,undefined fuzz_qpdf_min.cpp -lqpdf -o fuzz_qpdf_min
//   ./fuzz_qpdf_min CORPUS -max_total_time=30 -timeout=10 -rss_limit_mb=2048
#include <qpdf/QPDF.hh>
#include <cstdint>
#include <cstddef>
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* d, size_t n) {
  try { QPDF q; q.setSuppressWarnings(true); q.processMemoryFile("fuzz", reinterpret_cast<const char*>(d), n); (void)q.getAllObjects(); } catch (...) {}
  return 0;
}
