// The tamper suite: the archive of the 108-partner sample (140 signatures), built once by
// `sto demo`, mutated in one way per case; the real `sto verify DIR --ca-fingerprint FP --json`
// must exit 1 with the expected verdict and a finding that names what was changed. The untouched
// archive must be intact (exit 0).
//
// "_Rehashed" in a name: manifest.json's hash of the changed file was updated too, so the archive's
// file check is blind and only the deep check can catch it (the case also asserts that no
// "archief" finding names that file). Without it the manifest is left as it was, and the case
// asserts both the deep finding and the file check.
//
// Mutation (N = revision 140, the last)     caught by: [check] subject: message (shortened)
// -----------------------------------------  ------------------------------------------------------------
// Rev0PageContentByte                        [revisie-0] contract.pdf byte X: revisie 0 is niet byte voor byte
//                                            wat agreement.xml oplevert (eerste verschil bij byte X);
//                                            [archief] contract.pdf: is gewijzigd
// TemplateTextChanged_Rehashed               [revisie-0] contract.pdf byte X: … niet byte voor byte … (the
//                                            archive's template no longer renders the signed revision 0)
// AgreementNameByte_Rehashed                 [revisie-0] … niet byte voor byte …; [handtekening] revisie K (s003):
//                                            het certificaat noemt een ander …: naam 'Thijs Kuipers' i.p.v. '…t'
// AgreementXmlDeleted                        [archief] agreement.xml: ontbreekt; [revisie-0] geen geldige overeenkomst
// IsaPageContentOverride_Rehashed            [pdf] contract.pdf byte <size>: na revisie 140 volgen N bytes
//                                            (vanaf byte <size>) die geen handtekeningrevisie zijn
// IsaInfoRedefined                           the same; [archief] contract.pdf: is gewijzigd
// TrailingNewlineAfterEof_Rehashed           [pdf] contract.pdf byte <size>: na revisie 140 volgen … bytes die geen
//                                            handtekeningrevisie zijn
// PrependedJunk_Rehashed                     [pdf] revisie 0: geen contract van sto (qpdf finds no xref at startxref)
// CmsOfPreviousRevisionInLast_Rehashed       [handtekening] revisie N: … andere bytes … (messageDigest wijkt af)
// CmsOfPreviousRevisionInMiddle              [handtekening] revisie 70: messageDigest wijkt af; [pdf] byte <71>:
//                                            na revisie 70 … geen handtekeningrevisie (71's /ID holds the old hash)
// ByteRangeNotCoveringFile_Rehashed          [pdf] contract.pdf byte <N>: na revisie 139 … geen handtekeningrevisie
// ContentsZeroed_Rehashed                    [handtekening] revisie N: /Contents is geen CMS SignedData
// ContentsLowerCaseHex_Rehashed              [pdf] byte <N>: na revisie 139 …: /Contents is geen hex
// SwaObjectsInContentsGap_Rehashed           [pdf] byte <N>: na revisie 139 …: wijkt af van wat een handtekening
// schrijft UsfContentsKeyRenamed_Rehashed             [pdf] byte <N>: na revisie 139 …: geen %%EOF na de /Contents
// UsfSubFilterChanged                        [pdf] byte <N>: na revisie 139 …: wijkt af …; [archief] contract.pdf
// LastRevisionRemoved                        [partners] 139 van 140 …; ontbreekt: <field>; [audit] regel <signed N>:
//                                            1 ondertekening(en) van revisies die contract.pdf niet heeft; [audit]
//                                            regel <completed>: de voltooiing noemt een ander contract; [archief]
//                                            contract.pdf
// LastRevisionRemoved_Rehashed               the same without the file check
// ShadowHideXrefOnly_Rehashed                [pdf] contract.pdf byte <size>: na revisie 140 … geen handtekeningrevisie
// ShadowHideRepointContent_Rehashed          the same
// ShadowReplaceAppearance_Rehashed           the same
// ShadowReplaceFont_Rehashed                 the same
// ShadowHideAndReplaceNewRoot_Rehashed       the same
// EaaFreeTextAnnotation_Rehashed             the same
// AuditLinesSwapped                          [audit] audit.jsonl: regel K / K+1: volgnummer ("seq") is niet …
// AuditIpEdited_Rehashed                     [audit] audit.jsonl: regel K: hash klopt niet …
// AuditLineDeleted_Rehashed                  [audit] audit.jsonl: regel K: volgnummer …; [audit] revisie 70:
//                                            audit.jsonl heeft geen ondertekening voor deze revisie
// AuditLastLineRemoved_Rehashed              [audit] audit.jsonl: de keten eindigt op <hash>, verwacht was <head>
// AuditIpEditedAndRechained_Rehashed         [audit] audit.jsonl regel N: de keten is herschreven … revisie 71 …
//                                            tussen K en N (revision 71 signed the chain's head before its act)
// ManifestAuditHeadChanged                   [audit] audit.jsonl: … verwacht was <forged head>
// ManifestCaFingerprintChanged               [archief] manifest.json: ca_fingerprint: noemt …, het archief heeft …
// ManifestContractSha256Changed              [archief] manifest.json: <field>: noemt …, het archief heeft …
// ManifestRevisionCountChanged               [archief] manifest.json: <field>: noemt …, het archief heeft …
// ManifestAuditLengthChanged                 [archief] manifest.json: <field>: noemt …, het archief heeft …
// ManifestKenmerkChanged                     [archief] manifest.json: <field>: noemt …, het archief heeft …
// ManifestProducerChanged                    [bewijsdossier] … iets anders dan de bestanden (page 1 shows it)
// ManifestDeleted                            [archief] manifest.json: ontbreekt of is onleesbaar
// CaSwapped                                  [handtekening] revisie 1: hoort niet bij de CA van het archief;
//                                            [ca] ca.pem: … niet de verwachte <FP>; [archief] ca.pem
// CaSwappedAndItsFingerprintGiven_Rehashed   [handtekening] revisie 1: hoort niet bij de CA van het archief
// TsaSwapped_Rehashed                        [handtekening] revisie 1: het tijdstempel is niet van een TSA van het
// archief TsaPemDeleted                              [archief] tsa.pem: ontbreekt of is onleesbaar
// CertificateNamesWrongPerson_Rehashed       [handtekening] revisie N: het certificaat noemt een ander dan de
//                                            tekenbevoegde van dit veld: naam '<revision 1's>' i.p.v. '<N's>'
// ForgedWithOwnCa_Rehashed                   [handtekening] revisie N: hoort niet bij de CA van het archief
// TimestampFromOtherSignature_Rehashed       [handtekening] revisie N: het tijdstempel hoort bij een andere
// handtekening BewijsdossierByte_Rehashed                 [bewijsdossier] bewijsdossier.pdf: … iets anders dan de
// bestanden
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <iostream>
#include <sstream>

#include "sto/audit.h"
#include "tamper.h"

namespace sto::tamper {
namespace {

// A finding the verdict must hold: check and subject exactly (a subject ending in '*' is a
// prefix), every text of `message` somewhere in the message.
struct Want {
  std::string check;
  std::string subject;
  std::vector<std::string> message;
};

struct Expectation {
  Expectation(std::string v, std::vector<Want> f, std::vector<std::string> r = {}, std::string fp = {})
      : verdict(std::move(v)), findings(std::move(f)), rehash(std::move(r)), fingerprint(std::move(fp)) {}

  std::string verdict;
  std::vector<Want> findings;
  std::vector<std::string> rehash;  // files whose manifest hash the test updates after the mutation
  std::string fingerprint;          // passed instead of the archive's real one, when not empty
};

// What a mutation works on: the copy and what is known of the pristine archive.
struct Context {
  fs::path dir;      // the copy of the archive, to mutate
  fs::path scratch;  // for an attacker's own keys
  const PdfFacts& facts;
  const Demo& demo;

  std::string file(const std::string& name) const { return read_file(dir / name); }
  void put(const std::string& name, std::string_view bytes) const { write_file(dir / name, bytes); }
  const SignedRevision& revision(int number) const { return facts.revisions.at(static_cast<std::size_t>(number - 1)); }
  const SignedRevision& last() const { return facts.revisions.back(); }
};

struct Mutation {
  std::string name;  // the test's name
  std::string what;  // what it does, for the output
  std::function<Expectation(Context&)> apply;
};

// Test names in gtest's output, not the parameter's bytes.
void PrintTo(const Mutation& m, std::ostream* os) { *os << m.name; }

std::string revision_name(const SignedRevision& r) {
  return "revisie " + std::to_string(r.number) + " (" + r.field + ")";
}

Want changed(const std::string& file) { return {"archief", file, {"is gewijzigd"}}; }

// What read_signed_pdf says when the bytes from `offset` on are no signing revision.
Want not_a_signing_revision(std::size_t offset, int number) {
  return {"pdf",
          "contract.pdf byte " + std::to_string(offset),
          {"na revisie " + std::to_string(number - 1) + " volgen ",
           "bytes (vanaf byte " + std::to_string(offset) + ") die geen handtekeningrevisie zijn"}};
}

// Bytes appended after the last signing revision: the file's end, revision 141.
Want appended_after_last(const Context& c) { return not_a_signing_revision(c.facts.pdf.size(), c.last().number + 1); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = text.find('\n', at);
    lines.push_back(text.substr(at, end - at));
    at = end == std::string::npos ? text.size() : end + 1;
  }
  return lines;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& l : lines) text += l + "\n";
  return text;
}

// 1-based number of the first line holding `needle`.
std::size_t line_with(const std::vector<std::string>& lines, const std::string& needle) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find(needle) != std::string::npos) return i + 1;
  }
  throw std::runtime_error("no audit line with " + needle);
}

std::string replaced_once(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("\"" + from + "\" not found");
  return text.replace(at, from.size(), to);
}

// The start of the key that marks revision `n`'s signing line ("revision":n,"revision_sha256").
std::string revision_key(int n) { return "\"revision\":" + std::to_string(n) + ","; }

// The raw JSON value of `key` in manifest.json ("\"STO25-…\"", "140"), as written there.
std::string manifest_value(const fs::path& dir, const std::string& key) {
  const std::string text = read_file(dir / "manifest.json");
  const std::string label = "\"" + key + "\": ";
  const std::size_t at = text.find(label);
  if (at == std::string::npos) throw std::runtime_error("manifest.json has no " + key);
  const std::size_t begin = at + label.size();
  return text.substr(begin, text.find_first_of(",\n", begin) - begin);
}

// Replaces the value of `key` in manifest.json by `value` (raw JSON); returns the finding the
// verifier should give: manifest.json says something the files do not.
Want manifest_edited(const fs::path& dir, const std::string& key, const std::string& value) {
  const std::string label = "\"" + key + "\": ";
  edit_manifest(dir, label + manifest_value(dir, key), label + value);
  return {"archief", "manifest.json", {}};
}

std::vector<Mutation> mutations() {
  std::vector<Mutation> m;

  // --- Revision 0 and agreement.xml: the re-render must match byte for byte.
  m.push_back(
      {"Rev0PageContentByte", "flips one byte inside page 1's content stream (revision 0)", [](Context& c) {
         std::string pdf = c.facts.pdf;
         const std::size_t at = c.facts.page1_stream + c.facts.page1_length / 2;
         pdf[at] = static_cast<char>(pdf[at] ^ 0x01);
         c.put("contract.pdf", pdf);
         const std::string byte = std::to_string(at);
         return Expectation{
             "broken",
             {{"revisie-0", "contract.pdf byte " + byte, {"niet byte voor byte", "eerste verschil bij byte " + byte}},
              changed("contract.pdf")}};
       }});
  m.push_back({"TemplateTextChanged_Rehashed",
               "changes a sentence of the archive's contract template (templates/nl/overeenkomst.xml), manifest "
               "hash updated",
               [](Context& c) {
                 const std::string name = "templates/nl/overeenkomst.xml";
                 const std::string before = c.file(name);
                 c.put(name, replaced_once(before, "Aan de regio nemen", "In de regio werken"));
                 edit_manifest(c.dir, "\"" + name + "\": \"" + sha256_hex(before) + "\"",
                               "\"" + name + "\": \"" + sha256_hex(c.file(name)) + "\"");
                 return Expectation{
                     "broken",
                     {{"revisie-0", "contract.pdf byte *", {"niet byte voor byte wat agreement.xml oplevert"}}}};
               }});
  m.push_back({"AgreementNameByte_Rehashed",
               "changes one byte of a tekenbevoegde's name in agreement.xml (Kuipers -> Kuipert)", [](Context& c) {
                 c.put("agreement.xml",
                       replaced_once(c.file("agreement.xml"), "naam=\"Thijs Kuipers\"", "naam=\"Thijs Kuipert\""));
                 const auto r = std::find_if(c.facts.revisions.begin(), c.facts.revisions.end(),
                                             [](const SignedRevision& s) { return s.field == "s003"; });
                 return Expectation{
                     "broken",
                     {{"revisie-0", "contract.pdf byte *", {"niet byte voor byte wat agreement.xml oplevert"}},
                      {"handtekening",
                       revision_name(*r),
                       {"noemt een ander dan de tekenbevoegde", "naam 'Thijs Kuipers' i.p.v. 'Thijs Kuipert'"}}},
                     {"agreement.xml"}};
               }});
  m.push_back({"AgreementXmlDeleted", "deletes agreement.xml", [](Context& c) {
                 fs::remove(c.dir / "agreement.xml");
                 return Expectation{"broken",
                                    {{"archief", "agreement.xml", {"ontbreekt"}},
                                     {"revisie-0", "agreement.xml", {"geen geldige overeenkomst"}}}};
               }});

  // --- Incremental saving attacks: anything after the last signing revision.
  m.push_back({"IsaPageContentOverride_Rehashed",
               "appends an incremental update redefining page 1's content stream (new text), xref, trailer /Prev",
               [](Context& c) {
                 c.put("contract.pdf",
                       incremental_update(c.facts,
                                          {{c.facts.page1_content,
                                            stream_object("BT /F1 24 Tf 72 700 Td (Bijdrage: EUR 1.000.000) Tj ET")}}));
                 return Expectation{"broken", {appended_after_last(c)}, {"contract.pdf"}};
               }});
  m.push_back({"IsaInfoRedefined", "appends an incremental update redefining /Info (new /Title)", [](Context& c) {
                 c.put("contract.pdf", incremental_update(c.facts, {{c.facts.info, "<< /Title (Vervalst) >>"}}));
                 return Expectation{"broken", {appended_after_last(c), changed("contract.pdf")}};
               }});
  m.push_back({"TrailingNewlineAfterEof_Rehashed", "appends one newline after the last %%EOF", [](Context& c) {
                 c.put("contract.pdf", c.facts.pdf + "\n");
                 return Expectation{"broken", {appended_after_last(c)}, {"contract.pdf"}};
               }});
  m.push_back({"PrependedJunk_Rehashed", "puts \"%junk\\n\" before %PDF- (readers tolerate it)", [](Context& c) {
                 c.put("contract.pdf", "%junk\n" + c.facts.pdf);
                 // qpdf, strict, finds no xref where startxref points: no revision can be read.
                 return Expectation{"broken", {{"pdf", "revisie 0", {"geen contract van sto"}}}, {"contract.pdf"}};
               }});

  // --- Universal signature forgery and signature wrapping on the last (or a middle) signature.
  m.push_back({"CmsOfPreviousRevisionInLast_Rehashed", "replaces revision 140's /Contents by revision 139's CMS",
               [](Context& c) {
                 const SignedRevision& r = c.last();
                 c.put("contract.pdf", with_contents(c.facts.pdf, r, c.revision(r.number - 1).cms));
                 return Expectation{
                     "broken", {{"handtekening", revision_name(r), {"messageDigest wijkt af"}}}, {"contract.pdf"}};
               }});
  m.push_back(
      {"CmsOfPreviousRevisionInMiddle", "replaces revision 70's /Contents by revision 69's CMS", [](Context& c) {
         const SignedRevision& r = c.revision(70);
         c.put("contract.pdf", with_contents(c.facts.pdf, r, c.revision(69).cms));
         return Expectation{"broken",
                            {{"handtekening", revision_name(r), {"messageDigest wijkt af"}},
                             // Revision 71's trailer carries the hash of the file before it
                             // (its /ID), which changed: the reading stops there.
                             not_a_signing_revision(c.revision(71).offset, 71),
                             changed("contract.pdf")}};
       }});
  m.push_back({"ByteRangeNotCoveringFile_Rehashed",
               "shortens the last /ByteRange by one byte (same width), so it no longer covers the file's end",
               [](Context& c) {
                 const SignedRevision& r = c.last();
                 std::string pdf = c.facts.pdf;
                 const std::size_t open = pdf.find("/ByteRange [", r.offset) + 12;
                 const std::size_t close = pdf.find(']', open);
                 std::size_t a = 0, b = 0, cc = 0, d = 0;
                 std::istringstream(pdf.substr(open, close - open)) >> a >> b >> cc >> d;
                 std::string edited = std::to_string(a) + " " + std::to_string(b) + " " + std::to_string(cc) + " " +
                                      std::to_string(d - 1) + "]";
                 const std::size_t width = pdf.find('\n', open) - open;  // digits, ']' and the padding
                 edited.resize(width, ' ');
                 pdf.replace(open, width, edited);
                 c.put("contract.pdf", pdf);
                 return Expectation{"broken", {not_a_signing_revision(r.offset, r.number)}, {"contract.pdf"}};
               }});
  m.push_back({"ContentsZeroed_Rehashed", "sets every hex digit of the last /Contents to 0", [](Context& c) {
                 const SignedRevision& r = c.last();
                 std::string pdf = c.facts.pdf;
                 std::fill(pdf.begin() + static_cast<std::ptrdiff_t>(r.gap_begin + 1),
                           pdf.begin() + static_cast<std::ptrdiff_t>(r.gap_end - 1), '0');
                 c.put("contract.pdf", pdf);
                 return Expectation{"broken",
                                    {{"handtekening", revision_name(r), {"/Contents is geen CMS SignedData"}}},
                                    {"contract.pdf"}};
               }});
  m.push_back(
      {"ContentsLowerCaseHex_Rehashed", "writes the last /Contents in lower-case hex (same CMS)", [](Context& c) {
         const SignedRevision& r = c.last();
         std::string pdf = c.facts.pdf;
         std::transform(pdf.begin() + static_cast<std::ptrdiff_t>(r.gap_begin + 1),
                        pdf.begin() + static_cast<std::ptrdiff_t>(r.gap_end - 1),
                        pdf.begin() + static_cast<std::ptrdiff_t>(r.gap_begin + 1),
                        [](char ch) { return static_cast<char>(std::tolower(ch)); });
         c.put("contract.pdf", pdf);
         return Expectation{"broken", {not_a_signing_revision(r.offset, r.number)}, {"contract.pdf"}};
       }});
  m.push_back({"SwaObjectsInContentsGap_Rehashed",
               "closes the last /Contents after its CMS and puts an object in the unsigned padding", [](Context& c) {
                 const SignedRevision& r = c.last();
                 std::string pdf = c.facts.pdf;
                 const std::size_t digits = 2 * der_size(r.cms);
                 const std::size_t room = r.gap_end - r.gap_begin - 2;
                 std::string injected =
                     "> >>\nendobj\n" + std::to_string(c.facts.size) + " 0 obj\n(injected)\nendobj\n%<";
                 injected.resize(room - digits, '0');
                 pdf.replace(r.gap_begin + 1 + digits, injected.size(), injected);
                 c.put("contract.pdf", pdf);
                 return Expectation{"broken", {not_a_signing_revision(r.offset, r.number)}, {"contract.pdf"}};
               }});
  m.push_back(
      {"UsfContentsKeyRenamed_Rehashed", "renames the last /Contents key to /Contentz", [](Context& c) {
         std::string pdf = c.facts.pdf;
         pdf.replace(pdf.rfind("/Contents <"), 11, "/Contentz <");
         c.put("contract.pdf", pdf);
         return Expectation{"broken", {not_a_signing_revision(c.last().offset, c.last().number)}, {"contract.pdf"}};
       }});
  m.push_back({"UsfSubFilterChanged", "alters the last /SubFilter (ETSI.CAdES.detachex)", [](Context& c) {
                 std::string pdf = c.facts.pdf;
                 const std::string from = "/SubFilter /ETSI.CAdES.detached /M";
                 pdf.replace(pdf.rfind(from), from.size(), "/SubFilter /ETSI.CAdES.detachex /M");
                 c.put("contract.pdf", pdf);
                 return Expectation{
                     "broken", {not_a_signing_revision(c.last().offset, c.last().number), changed("contract.pdf")}};
               }});

  // --- A removed last revision: a tekenbevoegde who signed is made to look as if they had not.
  const auto removed_last = [](bool rehash) {
    return [rehash](Context& c) {
      const SignedRevision& r = c.last();
      c.put("contract.pdf", c.facts.pdf.substr(0, r.offset));
      const auto lines = lines_of(c.file("audit.jsonl"));
      const std::size_t signed_line = line_with(lines, revision_key(r.number) + "\"revision_sha256\"");
      const std::size_t completed_line = line_with(lines, "\"event\":\"completed\"");
      Expectation e{"broken",
                    {{"partners", "overeenkomst", {"139 van 140 tekenbevoegden", "ontbreekt: " + r.field}},
                     {"audit",
                      "audit.jsonl regel " + std::to_string(signed_line),
                      {"1 ondertekening(en) van revisies die contract.pdf niet (leesbaar) heeft"}},
                     {"audit",
                      "audit.jsonl regel " + std::to_string(completed_line),
                      {"de voltooiing noemt een ander contract"}}}};
      if (rehash) {
        e.rehash.push_back("contract.pdf");
      } else {
        e.findings.push_back(changed("contract.pdf"));
      }
      return e;
    };
  };
  m.push_back({"LastRevisionRemoved", "truncates contract.pdf at the end of revision 139", removed_last(false)});
  m.push_back({"LastRevisionRemoved_Rehashed", "truncates contract.pdf at the end of revision 139, manifest updated",
               removed_last(true)});

  // --- Shadow attacks: hide, replace, hide-and-replace (Mainka et al. 2021); EAA.
  m.push_back(
      {"ShadowHideXrefOnly_Rehashed", "appends an update that is only an xref section and a trailer", [](Context& c) {
         c.put("contract.pdf", incremental_update(c.facts, {}));
         return Expectation{"broken", {appended_after_last(c)}, {"contract.pdf"}};
       }});
  m.push_back({"ShadowHideRepointContent_Rehashed",
               "appends an xref-only update re-pointing page 1's content stream to an object already signed (/Info)",
               [](Context& c) {
                 const PdfFacts& f = c.facts;
                 std::string pdf = f.pdf + "\n";
                 const std::size_t xref_at = pdf.size();
                 char entry[64];
                 std::snprintf(entry, sizeof entry, "%d 1\n%010zu 00000 n \n", f.page1_content, f.info_offset);
                 pdf += "xref\n0 1\n0000000000 65535 f \n" + std::string(entry) + "trailer\n<< /Size " +
                        std::to_string(f.size) + " /Root " + std::to_string(f.root) + " 0 R /Info " +
                        std::to_string(f.info) + " 0 R " + f.id + " /Prev " + std::to_string(f.startxref) +
                        " >>\nstartxref\n" + std::to_string(xref_at) + "\n%%EOF\n";
                 c.put("contract.pdf", pdf);
                 return Expectation{"broken", {appended_after_last(c)}, {"contract.pdf"}};
               }});
  m.push_back({"ShadowReplaceAppearance_Rehashed",
               "appends an update redefining revision 1's signature appearance (another text shown)", [](Context& c) {
                 const PdfFacts& f = c.facts;
                 c.put("contract.pdf",
                       incremental_update(
                           f, {{f.appearance, stream_object("BT /F1 6 Tf 2 2 Td <0041> Tj ET",
                                                            "/Type /XObject /Subtype /Form /BBox " + f.appearance_bbox +
                                                                " /Resources " + f.appearance_resources)}}));
                 return Expectation{"broken", {appended_after_last(c)}, {"contract.pdf"}};
               }});
  m.push_back(
      {"ShadowReplaceFont_Rehashed", "appends an update redefining the embedded font (glyphs swappable)",
       [](Context& c) {
         c.put("contract.pdf",
               incremental_update(c.facts, {{c.facts.font, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}}));
         return Expectation{"broken", {appended_after_last(c)}, {"contract.pdf"}};
       }});
  m.push_back({"ShadowHideAndReplaceNewRoot_Rehashed",
               "appends a new catalog without /AcroForm and points the trailer's /Root at it", [](Context& c) {
                 const PdfFacts& f = c.facts;
                 c.put("contract.pdf",
                       incremental_update(
                           f, {{f.size, "<< /Type /Catalog /Pages " + std::to_string(f.pages) + " 0 R >>"}}, f.size));
                 return Expectation{"broken", {appended_after_last(c)}, {"contract.pdf"}};
               }});
  m.push_back({"EaaFreeTextAnnotation_Rehashed",
               "appends a FreeText annotation over page 1's text and overrides the page's /Annots", [](Context& c) {
                 const PdfFacts& f = c.facts;
                 const std::string annot = std::to_string(f.size) + " 0 R";
                 std::string page = f.page1_dict;
                 page.insert(page.rfind(">>"),
                             "/Annots [ " + f.page1_annots + (f.page1_annots.empty() ? "" : " ") + annot + " ] ");
                 c.put("contract.pdf",
                       incremental_update(f, {{f.size,
                                               "<< /Type /Annot /Subtype /FreeText /Rect [72 680 400 720] /Contents "
                                               "(EUR 1.000.000) /DA (/Helv 20 Tf) /P " +
                                                   std::to_string(f.page1) + " 0 R >>"},
                                              {f.page1, page}}));
                 return Expectation{"broken", {appended_after_last(c)}, {"contract.pdf"}};
               }});

  // --- The audit log.
  m.push_back({"AuditLinesSwapped", "swaps revision 70's signing line with the line before it", [](Context& c) {
                 auto lines = lines_of(c.file("audit.jsonl"));
                 const std::size_t k = line_with(lines, revision_key(70) + "\"revision_sha256\"");
                 std::swap(lines[k - 2], lines[k - 1]);
                 c.put("audit.jsonl", joined(lines));
                 const std::string before = std::to_string(k - 1), at = std::to_string(k);
                 return Expectation{
                     "broken",
                     {{"audit", "audit.jsonl", {"regel " + before + ": volgnummer (\"seq\") is niet " + before}},
                      {"audit", "audit.jsonl", {"regel " + at + ": volgnummer (\"seq\") is niet " + at}},
                      changed("audit.jsonl")}};
               }});
  m.push_back({"AuditIpEdited_Rehashed", "changes the IP address in revision 70's signing line", [](Context& c) {
                 auto lines = lines_of(c.file("audit.jsonl"));
                 const std::size_t k = line_with(lines, revision_key(70) + "\"revision_sha256\"");
                 lines[k - 1] = replaced_once(lines[k - 1], "\"ip\":\"127.0.0.1\"", "\"ip\":\"127.0.0.2\"");
                 c.put("audit.jsonl", joined(lines));
                 return Expectation{"broken",
                                    {{"audit", "audit.jsonl", {"regel " + std::to_string(k) + ": hash klopt niet"}}},
                                    {"audit.jsonl"}};
               }});
  m.push_back({"AuditLineDeleted_Rehashed", "deletes revision 70's signing line", [](Context& c) {
                 auto lines = lines_of(c.file("audit.jsonl"));
                 const std::size_t k = line_with(lines, revision_key(70) + "\"revision_sha256\"");
                 lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(k - 1));
                 c.put("audit.jsonl", joined(lines));
                 const std::string at = std::to_string(k);
                 return Expectation{
                     "broken",
                     {{"audit", "audit.jsonl", {"regel " + at + ": volgnummer (\"seq\") is niet " + at}},
                      {"audit", revision_name(c.revision(70)), {"geen ondertekening voor deze revisie"}}},
                     {"audit.jsonl"}};
               }});
  m.push_back({"AuditLastLineRemoved_Rehashed",
               "removes the last line (completed): the chain is still whole but ends before the manifest's head",
               [](Context& c) {
                 auto lines = lines_of(c.file("audit.jsonl"));
                 const std::string head = std::get<std::string>(parse_flat_json(lines.back()).at("hash"));
                 lines.pop_back();
                 const std::string new_last = std::get<std::string>(parse_flat_json(lines.back()).at("hash"));
                 c.put("audit.jsonl", joined(lines));
                 return Expectation{
                     "broken",
                     {{"audit", "audit.jsonl", {"de keten eindigt op " + new_last + ", verwacht was " + head}}},
                     {"audit.jsonl"}};
               }});
  m.push_back({"AuditIpEditedAndRechained_Rehashed",
               "changes revision 70's IP and recomputes every later hash, the manifest's head and file hash",
               [](Context& c) {
                 auto lines = lines_of(c.file("audit.jsonl"));
                 const std::size_t k = line_with(lines, revision_key(70) + "\"revision_sha256\"");
                 std::string previous = std::get<std::string>(parse_flat_json(lines[k - 2]).at("hash"));
                 const std::string old_head = std::get<std::string>(parse_flat_json(lines.back()).at("hash"));
                 for (std::size_t i = k - 1; i < lines.size(); ++i) {
                   AuditEntry e = parse_flat_json(lines[i]);
                   e.erase("hash");
                   if (i == k - 1) e["ip"] = std::string("127.0.0.2");
                   AuditRecord record{std::get<std::int64_t>(e.at("seq")), canonical_json(e), ""};
                   record.hash = chain_hash(previous, record.canonical);
                   lines[i] = jsonl_line(record);
                   previous = record.hash;
                 }
                 c.put("audit.jsonl", joined(lines));
                 edit_manifest(c.dir, old_head, previous);
                 // The chain agrees with itself, but revision 71 signed the head before its act: from the
                 // line after revision 70's anchor (its own "signed" entry, line k) up to 71's.
                 return Expectation{"broken",
                                    {{"audit",
                                      "audit.jsonl regel *",
                                      {"herschreven", "revisie 71 (", "tussen " + std::to_string(k) + " en "}}},
                                    {"audit.jsonl"}};
               }});
  m.push_back({"ManifestAuditHeadChanged", "changes the audit head recorded in manifest.json", [](Context& c) {
                 const auto lines = lines_of(c.file("audit.jsonl"));
                 const std::string head = std::get<std::string>(parse_flat_json(lines.back()).at("hash"));
                 std::string forged = head;
                 forged[0] = forged[0] == '0' ? '1' : '0';
                 edit_manifest(c.dir, "\"head\": \"" + head + "\"", "\"head\": \"" + forged + "\"");
                 return Expectation{
                     "broken",
                     {{"audit", "audit.jsonl", {"de keten eindigt op " + head + ", verwacht was " + forged}}}};
               }});
  // manifest.json's own statements about the contract, the CA, the log and the agreement: an
  // auditor reads them, so a forged one must be a finding, not silently ignored.
  m.push_back({"ManifestCaFingerprintChanged", "changes the CA fingerprint manifest.json states", [](Context& c) {
                 std::string forged = c.demo.fingerprint;
                 forged[0] = forged[0] == 'A' ? 'B' : 'A';
                 return Expectation{"broken", {manifest_edited(c.dir, "ca_fingerprint", "\"" + forged + "\"")}};
               }});
  m.push_back({"ManifestContractSha256Changed", "changes the contract's SHA-256 manifest.json states", [](Context& c) {
                 std::string forged = manifest_value(c.dir, "sha256");
                 forged[1] = forged[1] == '0' ? '1' : '0';  // [0] is the quote
                 return Expectation{"broken", {manifest_edited(c.dir, "sha256", forged)}};
               }});
  m.push_back(
      {"ManifestRevisionCountChanged", "says 139 revisions in manifest.json (the contract has 140)", [](Context& c) {
         return Expectation{"broken", {manifest_edited(c.dir, "revisions", "139")}};
       }});
  m.push_back({"ManifestAuditLengthChanged", "says one audit line less in manifest.json", [](Context& c) {
                 const std::string length = std::to_string(std::stoul(manifest_value(c.dir, "length")) - 1);
                 return Expectation{"broken", {manifest_edited(c.dir, "length", length)}};
               }});
  m.push_back(
      {"ManifestKenmerkChanged", "names another kenmerk in manifest.json than agreement.xml has", [](Context& c) {
         return Expectation{"broken", {manifest_edited(c.dir, "kenmerk", "\"STO25-109-SOK\"")}};
       }});
  m.push_back(
      {"ManifestProducerChanged", "names another renderer in manifest.json", [](Context& c) {
         const std::string producer = manifest_value(c.dir, "producer");
         manifest_edited(c.dir, "producer", replaced_once(producer, "sto ", "sto 9"));
         // The bewijsdossier shows the producer: re-rendered, it differs from the signed one.
         return Expectation{"broken", {{"bewijsdossier", "bewijsdossier.pdf", {"iets anders dan de bestanden"}}}};
       }});
  m.push_back({"ManifestDeleted", "deletes manifest.json", [](Context& c) {
                 fs::remove(c.dir / "manifest.json");
                 return Expectation{"broken", {{"archief", "manifest.json", {"ontbreekt"}}}};
               }});

  // --- Trust: the CA and the TSA.
  const auto swapped_ca = [](bool give_its_fingerprint) {
    return [give_its_fingerprint](Context& c) {
      Pki::create(c.scratch / "andere-ca", "");
      fs::copy_file(c.scratch / "andere-ca" / "ca.pem", c.dir / "ca.pem", fs::copy_options::overwrite_existing);
      Expectation e{"broken",
                    {{"handtekening", revision_name(c.revision(1)), {"hoort niet bij de CA van het archief"}}}};
      if (give_its_fingerprint) {
        e.fingerprint = fingerprint_of(c.dir / "ca.pem");
        e.rehash.push_back("ca.pem");
      } else {
        e.findings.push_back(
            {"ca", "ca.pem", {"de vingerafdruk van de CA is", "niet de verwachte " + c.demo.fingerprint}});
        e.findings.push_back(changed("ca.pem"));
      }
      return e;
    };
  };
  m.push_back({"CaSwapped", "replaces ca.pem by a fresh self-signed CA; the auditor gives the original fingerprint",
               swapped_ca(false)});
  m.push_back({"CaSwappedAndItsFingerprintGiven_Rehashed",
               "replaces ca.pem by a fresh CA and gives that CA's fingerprint (a fooled auditor)", swapped_ca(true)});
  m.push_back(
      {"TsaSwapped_Rehashed", "replaces tsa.pem by the TSA certificate of another installation", [](Context& c) {
         Pki::create(c.scratch / "andere-pki", "");
         fs::copy_file(c.scratch / "andere-pki" / "tsa.pem", c.dir / "tsa.pem", fs::copy_options::overwrite_existing);
         return Expectation{
             "broken",
             {{"handtekening", revision_name(c.revision(1)), {"het tijdstempel is niet van een TSA van het archief"}}},
             {"tsa.pem"}};
       }});
  m.push_back({"TsaPemDeleted", "deletes tsa.pem", [](Context& c) {
                 fs::remove(c.dir / "tsa.pem");
                 return Expectation{"broken", {{"archief", "tsa.pem", {"ontbreekt"}}}};
               }});

  // --- Forged CMS: keys of the installation's CA, of the attacker's, and a borrowed timestamp.
  m.push_back({"CertificateNamesWrongPerson_Rehashed",
               "re-signs revision 140 over its exact bytes with a certificate of the archive's own CA naming revision "
               "1's tekenbevoegde",
               [](Context& c) {
                 const SignedRevision& r = c.last();
                 const SignerIdentity other = identity_of(c.dir, c.revision(1).field);
                 const SignerIdentity right = identity_of(c.dir, r.field);
                 const Pki pki = Pki::load(c.demo.workspace / "pki", "");
                 c.put("contract.pdf", with_contents(c.facts.pdf, r, cms_signed_by(pki, other, r)));
                 return Expectation{"broken",
                                    {{"handtekening",
                                      revision_name(r),
                                      {"het certificaat noemt een ander dan de tekenbevoegde van dit veld",
                                       "naam '" + other.naam + "' i.p.v. '" + right.naam + "'"}}},
                                    {"contract.pdf"}};
               }});
  m.push_back(
      {"ForgedWithOwnCa_Rehashed",
       "re-signs revision 140 over its exact bytes, naming the right person, with the attacker's own CA and TSA",
       [](Context& c) {
         const SignedRevision& r = c.last();
         const Pki mallory = Pki::create(c.scratch / "mallory", "", r.claimed - 3600);
         c.put("contract.pdf", with_contents(c.facts.pdf, r, cms_signed_by(mallory, identity_of(c.dir, r.field), r)));
         return Expectation{"broken",
                            {{"handtekening", revision_name(r), {"hoort niet bij de CA van het archief"}}},
                            {"contract.pdf"}};
       }});
  m.push_back(
      {"TimestampFromOtherSignature_Rehashed",
       "replaces revision 140's timeStampToken by revision 139's (signed attributes untouched)", [](Context& c) {
         const SignedRevision& r = c.last();
         c.put("contract.pdf", with_contents(c.facts.pdf, r, with_timestamp_of(r.cms, c.revision(r.number - 1).cms)));
         return Expectation{"broken",
                            {{"handtekening", revision_name(r), {"het tijdstempel hoort bij een andere handtekening"}}},
                            {"contract.pdf"}};
       }});

  // --- The bewijsdossier.
  m.push_back({"BewijsdossierByte_Rehashed", "flips one byte of bewijsdossier.pdf's revision 0", [](Context& c) {
                 std::string dossier = c.file("bewijsdossier.pdf");
                 dossier[dossier.size() / 4] = static_cast<char>(dossier[dossier.size() / 4] ^ 0x01);
                 c.put("bewijsdossier.pdf", dossier);
                 return Expectation{"broken",
                                    {{"bewijsdossier", "bewijsdossier.pdf", {"iets anders dan de bestanden"}}},
                                    {"bewijsdossier.pdf"}};
               }});
  return m;
}

bool matches(const Finding& f, const Want& w) {
  if (f.check != w.check) return false;
  if (!w.subject.empty() && w.subject.back() == '*') {
    if (!f.subject.starts_with(w.subject.substr(0, w.subject.size() - 1))) return false;
  } else if (f.subject != w.subject) {
    return false;
  }
  return std::all_of(w.message.begin(), w.message.end(),
                     [&](const std::string& part) { return f.message.find(part) != std::string::npos; });
}

std::string describe(const Want& w) {
  std::string out = "[" + w.check + "] " + w.subject + ": …";
  for (const std::string& part : w.message) out += part + "…";
  return out;
}

// A directory of this test's own: ctest may run cases in parallel.
fs::path case_dir(const std::string& name) {
  return fs::temp_directory_path() / ("sto-tamper-" + name + "-" + std::to_string(::getpid()));
}

class Tamper : public ::testing::TestWithParam<Mutation> {};

TEST_P(Tamper, IsCaught) {
  const Mutation& mutation = GetParam();
  const Demo& d = demo();
  const fs::path root = case_dir(mutation.name);
  Context c{root / "archief", root / "scratch", pristine_facts(), d};
  copy_archive(d.archive, c.dir);
  fs::create_directories(c.scratch);
  const Expectation e = mutation.apply(c);
  for (const std::string& file : e.rehash) rehash_manifest(c.dir, file);

  const VerifyRun v = run_verify(c.dir, e.fingerprint.empty() ? d.fingerprint : e.fingerprint);
  std::cout << "mutation: " << mutation.what << "\nverdict: " << v.verdict << ", " << v.findings.size()
            << " finding(s)\n";
  EXPECT_EQ(v.exit_code, 1) << "NOT CAUGHT: " << mutation.what << "\n" << v.output;
  EXPECT_EQ(v.verdict, e.verdict) << describe(v.findings);
  for (const Want& w : e.findings) {
    const auto hit =
        std::find_if(v.findings.begin(), v.findings.end(), [&](const Finding& f) { return matches(f, w); });
    if (hit == v.findings.end()) {
      ADD_FAILURE() << "no finding " << describe(w) << " among:\n" << describe(v.findings);
    } else {
      std::cout << "caught by: [" << hit->check << "] " << hit->subject << ": " << hit->message << "\n";
    }
  }
  // A rehashed file: the manifest agrees with it, so the deep check alone caught the change.
  for (const std::string& file : e.rehash) {
    for (const Finding& f : v.findings) {
      EXPECT_FALSE(f.check == "archief" && f.subject == file)
          << "the manifest was updated for " << file << ": " << f.message;
    }
  }
  if (HasFailure()) {
    std::cout << "kept for inspection: " << root.string() << "\n";
  } else {
    fs::remove_all(root);
  }
}

INSTANTIATE_TEST_SUITE_P(Archive, Tamper, ::testing::ValuesIn(mutations()),
                         [](const ::testing::TestParamInfo<Mutation>& p) { return p.param.name; });

// --- The untouched archive.

TEST(VerifyUntouched, IsIntactWithTheRightFingerprint) {
  const VerifyRun v = run_verify(demo().archive, demo().fingerprint);
  EXPECT_EQ(v.exit_code, 0) << v.output;
  EXPECT_EQ(v.verdict, "intact") << describe(v.findings);
  EXPECT_TRUE(v.findings.empty()) << describe(v.findings);
  EXPECT_EQ(v.signatures, 140u);
  EXPECT_EQ(v.valid, 140u);
  EXPECT_EQ(v.expected, 140u);
  EXPECT_EQ(v.partners, 108u);
  EXPECT_EQ(v.bound, 108u);
}

TEST(VerifyUntouched, IsUntrustedWithoutFingerprint) {
  const VerifyRun v = run_verify(demo().archive, std::nullopt);
  EXPECT_EQ(v.exit_code, 1) << v.output;
  EXPECT_EQ(v.verdict, "untrusted") << describe(v.findings);
  ASSERT_EQ(v.findings.size(), 1u) << describe(v.findings);
  EXPECT_EQ(v.findings[0].check, "ca");
  EXPECT_EQ(v.findings[0].subject, "ca.pem");
  EXPECT_NE(v.findings[0].message.find("niet bevestigd"), std::string::npos) << v.findings[0].message;
  EXPECT_NE(v.findings[0].message.find(demo().fingerprint), std::string::npos) << v.findings[0].message;
  EXPECT_EQ(v.valid, 140u);  // nothing broken: every signature checks out against the archive's CA
}

TEST(VerifyUntouched, IsUntrustedWithAnotherFingerprint) {
  std::string wrong = demo().fingerprint;
  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  const VerifyRun v = run_verify(demo().archive, wrong);
  EXPECT_EQ(v.exit_code, 1) << v.output;
  EXPECT_EQ(v.verdict, "untrusted") << describe(v.findings);
  ASSERT_EQ(v.findings.size(), 1u) << describe(v.findings);
  EXPECT_EQ(v.findings[0].check, "ca");
  EXPECT_NE(v.findings[0].message.find("niet de verwachte " + wrong), std::string::npos) << v.findings[0].message;
}

}  // namespace
}  // namespace sto::tamper
