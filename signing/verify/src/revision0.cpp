#include "revision0.h"

#include <qpdf/Buffer.hh>
#include <qpdf/Pl_Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>

#include <exception>

#include "sto/render.h"
#include "sto/rules.h"

namespace sto::detail {

Rerendered rerender(std::string_view xml, const std::filesystem::path& templates_dir) {
  Rerendered out;
  const auto sets = load_rule_sets(templates_dir / "regelingen");
  Validation v = validate(xml, "agreement.xml", sets);
  if (!v.valid()) {
    std::string first;
    for (const auto& f : v.findings) {
      if (f.severity == Severity::error) {
        first = describe(f, Taal::nl);
        break;
      }
    }
    out.problems.push_back("agreement.xml is geen geldige overeenkomst: " + first);
    return out;
  }
  out.agreement = std::move(v.agreement);
  try {
    Contract contract = render_contract(*out.agreement, templates_dir);
    // What binds the paper to this file: its SHA-256 on every page. Templates that print another
    // (a word table can spell anything) would make "same bytes" prove nothing about this XML.
    if (contract.layout.info.fingerprint.find(out.agreement->xml_sha256) == std::string::npos) {
      out.problems.push_back("de templates drukken niet de SHA-256 van deze agreement.xml af (" +
                             out.agreement->xml_sha256 + ")");
      return out;
    }
    out.pdf = std::move(contract.pdf);
  } catch (const Error& e) {
    out.problems.push_back(std::string("agreement.xml laat zich met deze templates niet renderen: ") + e.what());
  }
  return out;
}

namespace {

std::string first_error(const Findings& findings) {
  for (const auto& f : findings) {
    if (f.severity == Severity::error) return describe(f, Taal::nl);
  }
  return {};
}

}  // namespace

Rerendered rerender_wijziging(std::string_view agreement_xml, const std::vector<std::string>& earlier,
                              std::string_view xml, const std::filesystem::path& templates_dir) {
  Rerendered out;
  const auto sets = load_rule_sets(templates_dir / "regelingen");
  Validation base = validate(agreement_xml, "agreement.xml", sets);
  if (!base.valid()) {
    out.problems.push_back("agreement.xml is geen geldige overeenkomst: " + first_error(base.findings));
    return out;
  }
  WijzigingBasis basis;
  basis.in_force = std::move(base.agreement);
  for (std::size_t i = 0; i < earlier.size(); ++i) {
    WijzigingValidation e = validate_wijziging(earlier[i], "wijziging.xml", basis, sets);
    if (!e.valid()) {
      out.problems.push_back("de wijziging ervoor (" + std::to_string(i + 1) +
                             ") is niet geldig: " + first_error(e.findings));
      return out;
    }
    basis.in_force = std::move(e.stuk.na);
    basis.vorige_nummer = basis.hoogste_nummer = e.stuk.wijziging.nummer;
  }
  WijzigingValidation w = validate_wijziging(xml, "wijziging.xml", basis, sets);
  if (!w.valid()) {
    out.problems.push_back("wijziging.xml is geen geldige wijziging van deze overeenkomst: " + first_error(w.findings));
    return out;
  }
  try {
    Contract contract = render_wijziging(w.stuk, templates_dir);
    if (contract.layout.info.fingerprint.find(w.stuk.wijziging.xml_sha256) == std::string::npos) {
      out.problems.push_back("de templates drukken niet de SHA-256 van deze wijziging.xml af");
      return out;
    }
    out.agreement = std::move(w.stuk.document);
    out.pdf = std::move(contract.pdf);
  } catch (const Error& e) {
    out.problems.push_back(std::string("wijziging.xml laat zich met deze templates niet renderen: ") + e.what());
  }
  return out;
}

namespace {

// Per page: its decoded content, then "annot <T> <Rect>" per annotation.
std::vector<std::string> pages_of(const std::string& pdf) {
  QPDF q;
  q.setSuppressWarnings(true);
  q.setAttemptRecovery(false);
  q.processMemoryFile("revisie 0", pdf.data(), pdf.size());
  std::vector<std::string> pages;
  for (auto& page : QPDFPageDocumentHelper(q).getAllPages()) {
    Pl_Buffer buffer("inhoud");
    page.pipeContents(&buffer);
    const std::shared_ptr<Buffer> bytes = buffer.getBufferSharedPointer();
    std::string text(reinterpret_cast<const char*>(bytes->getBuffer()), bytes->getSize());
    for (auto& annotation : page.getAnnotations()) {
      QPDFObjectHandle o = annotation.getObjectHandle();
      text += "\nannot " + o.getKey("/T").unparse() + " " + o.getKey("/Rect").unparse();
    }
    pages.push_back(std::move(text));
  }
  return pages;
}

}  // namespace

std::string content_difference(const std::string& expected, const std::string& actual) {
  try {
    const auto want = pages_of(expected);
    const auto got = pages_of(actual);
    if (want.size() != got.size()) {
      return std::to_string(got.size()) + " pagina's, verwacht " + std::to_string(want.size());
    }
    for (std::size_t i = 0; i < want.size(); ++i) {
      if (want[i] != got[i]) return "pagina " + std::to_string(i + 1) + " heeft een andere inhoud";
    }
    return {};
  } catch (const std::exception& e) {
    return std::string("niet te lezen: ") + e.what();
  }
}

}  // namespace sto::detail
