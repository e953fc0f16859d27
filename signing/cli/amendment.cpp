// An amendment checked against its agreement outside a workspace: shared by sto validate and render.
#include <fstream>

#include "command.h"
#include "sto/atomic_file.h"
#include "sto/render.h"

namespace sto::cli {

bool is_amendment_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  // The root element's name is near the top; reading the whole file is the reader's job.
  return document_kind(head) == "wijziging" ||
         (head.size() == 4096 && document_kind(read_whole_file(file)) == "wijziging");
}

WijzigingValidation validate_amendment(const std::string& file, const AmendmentBasis& files,
                                       const std::vector<RuleSet>& sets) {
  const Validation base = validate_file(files.overeenkomst, sets);
  if (!base.valid()) {
    throw Error(files.overeenkomst + " is geen geldige overeenkomst (sto validate " + files.overeenkomst +
                " zegt waarom)");
  }
  WijzigingBasis basis;
  basis.in_force = base.agreement;
  for (const auto& earlier : files.vorige) {
    const WijzigingValidation v = validate_wijziging(read_whole_file(earlier), earlier, basis, sets);
    if (!v.valid()) {
      throw Error(earlier + " is geen geldige wijziging van " + files.overeenkomst + " (sto validate " + earlier +
                  " --overeenkomst ... zegt waarom)");
    }
    basis.in_force = v.stuk.na;
    basis.vorige_nummer = v.stuk.wijziging.nummer;
    basis.hoogste_nummer = v.stuk.wijziging.nummer;
  }
  return validate_wijziging(read_whole_file(file), file, basis, sets);
}

}  // namespace sto::cli
