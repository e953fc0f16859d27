// libFuzzer target: any bytes as a signed contract through `sto verify`'s offline verdict, with
// the CA and TSA that signed the seeds (tests/fuzz/verify: the small sample's revision 0, and it
// with two signatures). Without agreement.xml, so that every input reaches the PDF reading, the
// CMS, certificate and timestamp checks instead of stopping at a failed re-render. It must never
// crash, hang or trip a sanitizer; every input gives a verdict.
//
// An input may carry an audit log and the timestamps over its chain after the PDF, each after a
// marker line ("\n%%audit.jsonl\n", "\n%%audit-tijdstempels.jsonl\n"), so that the log, its
// anchors and the chain's timestamps are fuzzed too (seed: revisies-2-met-log.pdf).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sto/atomic_file.h"
#include "sto/verify.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string ca = sto::read_whole_file(STO_SOURCE_DIR "/tests/fuzz/verify-ca.pem");
  static const std::string tsa = sto::read_whole_file(STO_SOURCE_DIR "/tests/fuzz/verify-tsa.pem");
  sto::VerifyInput in;
  in.pdf.assign(reinterpret_cast<const char*>(data), size);
  const auto take = [&](std::string_view marker) -> std::optional<std::string> {
    const std::size_t at = in.pdf.find(marker);
    if (at == std::string::npos) return std::nullopt;
    std::string tail = in.pdf.substr(at + marker.size());
    in.pdf.resize(at);
    return tail;
  };
  in.audit_timestamps = take("\n%%audit-tijdstempels.jsonl\n");
  in.audit_jsonl = take("\n%%audit.jsonl\n");
  if (in.audit_jsonl) in.audit_head = std::string(64, '0');
  in.ca_pem = ca;
  in.tsa_pem = tsa;
  in.ca_fingerprint = sto::certificate_fingerprint(ca);
  in.templates_dir = STO_SOURCE_DIR "/templates";
  const sto::Verdict v = sto::verify(in);
  (void)sto::describe(v);
  (void)sto::to_json(v);
  return 0;
}
