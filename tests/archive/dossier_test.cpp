// The bewijsdossier: reproducible bytes, a PDF qpdf accepts, the text an auditor needs (as
// poppler extracts it), one signature field for the installation, and the line between text that
// must be printable (the agreement's) and text that merely should be (a browser's).
#include <gtest/gtest.h>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFAcroFormDocumentHelper.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>

#include "dossier.h"
#include "run.h"
#include "scratch.h"
#include "sto/render.h"

namespace sto::detail {
namespace {

const std::filesystem::path kTemplates = STO_SOURCE_DIR "/templates";

constexpr const char* kContractSha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
constexpr const char* kUserAgent =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
    "Safari/537.36 Edg/131.0.2903.86";

// 64 hex digits that differ with `seed`, as a SHA-256 would.
std::string hex64(unsigned seed) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  unsigned x = seed * 2654435761u + 12345u;
  for (int i = 0; i < 64; ++i) {
    x = x * 1103515245u + 12345u;
    out += kDigits[(x >> 16) & 0xF];
  }
  return out;
}

std::string colon_fingerprint(unsigned seed) {
  const std::string hex = hex64(seed);
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    if (!out.empty()) out += ':';
    out += static_cast<char>(std::toupper(hex[i]));
    out += static_cast<char>(std::toupper(hex[i + 1]));
  }
  return out;
}

std::string two(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

// The events of a tekenbevoegde who signed, `n` of them (at least 2), a minute apart.
std::vector<DossierEvent> events(int person, int n) {
  std::vector<DossierEvent> out;
  const std::string ip = "145.97." + std::to_string(person % 256) + "." + std::to_string(10 + person % 200);
  const std::vector<std::string> kinds{"invited", "viewed", "pdf-downloaded", "reminded", "viewed", "viewed"};
  for (int i = 0; i < n; ++i) {
    DossierEvent e;
    e.time = "2026-11-" + two(10 + person % 15) + "T08:" + two(i % 60) + ":57.123Z";
    e.event = i + 1 == n ? "signed" : kinds[static_cast<std::size_t>(i) % kinds.size()];
    if (e.event == "invited") {
      e.detail = "Message-ID <" + hex64(static_cast<unsigned>(person)).substr(0, 20) + "@sto.example.nl>";
    } else {
      e.ip = i == 2 ? "2001:0db8:85a3:0000:0000:8a2e:0370:7334" : ip;
      e.user_agent = kUserAgent;
    }
    out.push_back(std::move(e));
  }
  return out;
}

DossierData data_with(int signatories, int events_each) {
  DossierData d;
  d.regio = "42 Techniekregio Zuid-Holland Zuid";
  d.kenmerk = "STO-2026-0042";
  d.versie = "3";
  d.title = "Samenwerkingsovereenkomst Techniekregio Zuid-Holland Zuid";
  d.agreement_sha256 = hex64(1);
  d.revision0_sha256 = hex64(2);
  d.contract_sha256 = kContractSha256;
  d.contract_bytes = 2718281;
  d.revisions = signatories;
  d.audit_head = hex64(3);
  d.audit_length = static_cast<std::size_t>(signatories * events_each + 2);
  d.ca_fingerprint = colon_fingerprint(4);
  d.tsa_fingerprints = {colon_fingerprint(5)};
  d.effective = "2026-11-26T08:35:57.123Z";
  d.verdict = "volledig en ongeschonden";
  d.exported = "2026-11-27T09:00:00.000Z";
  d.producer = "sto 0.1.0 (libharu 2.3.0, qpdf 11.3.0)";
  const int partners = std::max(1, signatories * 110 / 140);
  for (int p = 0; p < partners; ++p) {
    d.partners.push_back({"p" + std::to_string(p),
                          p == 0 ? "Stichting Penvoerder Techniek" : "Partner " + std::to_string(p) + " B.V.",
                          p == 0 ? "penvoerder" : "bedrijf", true});
  }
  for (int s = 0; s < signatories; ++s) {
    DossierSignatory t;
    t.id = "t" + std::to_string(s);
    t.naam = s == 0 ? "Marieke van den Berg-Öztürk" : "Tekenbevoegde " + std::to_string(s);
    t.functie = "voorzitter college van bestuur";
    t.hoedanigheid = "lid College van Bestuur / bevoegd gezag";
    t.email = "tekenbevoegde" + std::to_string(s) + "@partner.example.nl";
    t.partner = d.partners[static_cast<std::size_t>(s % partners)].naam;
    t.state = "ondertekend";
    t.revision = s + 1;
    t.revision_sha256 = hex64(static_cast<unsigned>(100 + s));
    t.certificate_sha256 = hex64(static_cast<unsigned>(1000 + s));
    t.certificate_subject = "CN=" + t.naam + ", title=" + t.functie + ", O=" + t.partner + ", emailAddress=" + t.email;
    t.claimed_time = "2026-11-26T08:35:57Z";
    t.timestamp = "2026-11-26T08:35:58Z";
    t.events = events(s, events_each);
    d.signatories.push_back(std::move(t));
  }
  return d;
}

class Dossier : public test::ScratchTest {
 protected:
  // Writes `pdf` to the scratch directory; returns the path.
  std::filesystem::path save(const std::string& pdf, const std::string& name = "dossier.pdf") {
    const auto path = dir_ / name;
    test::spill(path, pdf);
    return path;
  }
  std::string text_of(const std::string& pdf) {
    const test::RunResult r = test::run_program({"/usr/bin/pdftotext", "-enc", "UTF-8", save(pdf).string(), "-"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
};

std::string without_space(std::string text) {
  std::erase_if(text, [](unsigned char c) { return std::isspace(c) != 0; });
  return text;
}

// `pdf` must outlive the result: qpdf reads it in place.
std::shared_ptr<QPDF> open(const std::string& pdf) {
  auto q = QPDF::create();
  q->processMemoryFile("dossier.pdf", pdf.data(), pdf.size());
  return q;
}

TEST_F(Dossier, SameDataGivesSameBytes) {
  const DossierData d = data_with(3, 6);
  const std::string first = render_dossier(d, kTemplates);
  EXPECT_EQ(first, render_dossier(d, kTemplates));
  DossierData other = d;
  other.signatories[1].events[1].ip = "145.97.1.12";
  EXPECT_NE(first, render_dossier(other, kTemplates));
}

TEST_F(Dossier, QpdfCheckFindsNoProblem) {
  const test::RunResult r =
      test::run_program({"/usr/bin/qpdf", "--check", save(render_dossier(data_with(3, 6), kTemplates)).string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("No syntax or stream encoding errors found"), std::string::npos) << r.out;
}

TEST_F(Dossier, TextHoldsKenmerkNamesEventsArticle26AndContractHash) {
  const std::string text = text_of(render_dossier(data_with(3, 6), kTemplates));
  EXPECT_NE(text.find("STO-2026-0042"), std::string::npos);
  EXPECT_NE(text.find("Marieke van den Berg-Öztürk"), std::string::npos);
  EXPECT_NE(text.find("145.97.1.11"), std::string::npos);  // an event of tekenbevoegde 1
  EXPECT_NE(text.find("artikel 26"), std::string::npos);
  EXPECT_NE(text.find("pdf gedownload"), std::string::npos);
  EXPECT_NE(text.find("herinnerd"), std::string::npos);
  EXPECT_NE(text.find("geavanceerde elektronische handtekeningen (AdES), geen gekwalificeerde"), std::string::npos);
  const std::string flat = without_space(text);
  EXPECT_NE(flat.find(kContractSha256), std::string::npos);  // in the table and every footer
  EXPECT_NE(flat.find(without_space(kUserAgent)), std::string::npos);
  EXPECT_NE(flat.find("2001:0db8:85a3:0000:0000:8a2e:0370:7334"), std::string::npos);
  EXPECT_NE(flat.find("--ca-fingerprint" + colon_fingerprint(4)), std::string::npos);
}

TEST_F(Dossier, MetadataComesFromTheData) {
  const std::string pdf = render_dossier(data_with(2, 3), kTemplates);
  const auto q = open(pdf);
  auto info = q->getTrailer().getKey("/Info");
  EXPECT_EQ(info.getKey("/Title").getUTF8Value(), "Bewijsdossier STO-2026-0042");
  EXPECT_EQ(info.getKey("/Author").getUTF8Value(), "sto");
  EXPECT_EQ(info.getKey("/CreationDate").getUTF8Value(), "D:20261127000000Z");
}

TEST_F(Dossier, HasExactlyOneEmptySignatureFieldForTheInstallation) {
  const std::string pdf = render_dossier(data_with(3, 6), kTemplates);
  const auto q = open(pdf);
  QPDFAcroFormDocumentHelper form(*q);
  auto fields = form.getFormFields();
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].getFieldType(), "/Sig");
  EXPECT_EQ(fields[0].getFullyQualifiedName(), kDossierField);
  EXPECT_FALSE(fields[0].getObjectHandle().hasKey("/V"));
  EXPECT_EQ(fields[0].getObjectHandle().getKey("/TU").getUTF8Value(),
            "Digitaal ondertekend door sto-installatie, bewijsdossier, sto");
}

TEST_F(Dossier, NotYetInForceWhenEffectiveIsEmpty) {
  DossierData d = data_with(2, 3);
  d.effective.clear();
  d.signatories[1].state = "niet ondertekend";
  d.signatories[1].revision = 0;
  d.partners[0].bound = false;
  const std::string text = text_of(render_dossier(d, kTemplates));
  EXPECT_NE(text.find("nog niet: niet alle partners zijn gebonden"), std::string::npos);
  EXPECT_NE(text.find("0 van 1 gebonden"), std::string::npos);
}

TEST_F(Dossier, UnknownEventKindIsPrintedAsItIs) {
  DossierData d = data_with(1, 3);
  d.signatories[0].events[1].event = "teleported";
  const std::string text = text_of(render_dossier(d, kTemplates));
  EXPECT_NE(text.find("teleported"), std::string::npos);
  EXPECT_NE(text.find("uitgenodigd"), std::string::npos);
}

// A user agent or decline reason is whatever a browser or a person sent: it must not stop the
// report. What the fonts cannot draw becomes U+FFFD, or '?' since LiberationSans has no U+FFFD;
// line breaks and tabs become spaces.
TEST_F(Dossier, UnprintableUserAgentAndDetailAreReplaced) {
  ASSERT_FALSE(PdfRenderer(kTemplates / "fonts").printable(U'\uFFFD'));
  DossierData d = data_with(1, 3);
  d.signatories[0].events[1].user_agent = "EvilBrowser/1.0 \U0001F600 (\xFF)";
  d.signatories[0].events[2].detail = "reden:\tte\x01laat\n\u4E2D";
  const std::string text = text_of(render_dossier(d, kTemplates));
  EXPECT_NE(text.find("EvilBrowser/1.0 ? (?)"), std::string::npos) << text;
  EXPECT_NE(text.find("reden: te?laat ?"), std::string::npos) << text;
  EXPECT_EQ(text.find("\U0001F600"), std::string::npos);
  EXPECT_EQ(text.find("\u4E2D"), std::string::npos);
}

TEST_F(Dossier, OverlongUserAgentIsCut) {
  DossierData d = data_with(1, 3);
  d.signatories[0].events[1].user_agent = std::string(20000, 'A') + " tail";
  const std::string text = text_of(render_dossier(d, kTemplates));
  EXPECT_NE(text.find("… (ingekort)"), std::string::npos);
  EXPECT_EQ(text.find("tail"), std::string::npos);
}

// Names come from the validated agreement: printing a blank instead would change who signed.
TEST_F(Dossier, UnprintableNameThrows) {
  DossierData d = data_with(2, 3);
  d.signatories[1].naam = "Jan \U0001F600 Jansen";
  try {
    render_dossier(d, kTemplates);
    FAIL() << "no UnprintableText";
  } catch (const UnprintableText& e) {
    EXPECT_EQ(e.code_points(), std::vector<char32_t>{U'\U0001F600'});
  }
}

TEST_F(Dossier, MalformedExportTimeThrows) {
  DossierData d = data_with(1, 2);
  d.exported = "27-11-2026";
  test::expect_error([&] { render_dossier(d, kTemplates); }, "exporttijd");
}

TEST_F(Dossier, HundredFortySignatoriesWithEightEventsEach) {
  const DossierData d = data_with(140, 8);
  const auto start = std::chrono::steady_clock::now();
  const std::string pdf = render_dossier(d, kTemplates);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto q = open(pdf);
  const std::size_t pages = QPDFPageDocumentHelper(*q).getAllPages().size();
  std::printf("140 tekenbevoegden, 8 gebeurtenissen elk: %zu pagina's, %zu bytes, %.2f s\n", pages, pdf.size(),
              seconds);
  // A tekenbevoegde with eight events takes most of a page (each browser event is three lines).
  EXPECT_GE(pages, 140u / 3);
  EXPECT_LE(pages, 140u + 10);
  EXPECT_EQ(QPDFAcroFormDocumentHelper(*q).getFormFields().size(), 1u);
  const std::string text = text_of(pdf);
  EXPECT_NE(text.find("Tekenbevoegde 139"), std::string::npos);
  EXPECT_NE(text.find("pagina " + std::to_string(pages) + " van " + std::to_string(pages)), std::string::npos);
  EXPECT_NE(text.find("110 van 110 gebonden"), std::string::npos);
}

}  // namespace
}  // namespace sto::detail
