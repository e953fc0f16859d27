// signing/mail without a network: the composed bytes, read back by Python's email package as a
// mail client would, and the workflow's messages from templates/mail/.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <fstream>
#include <random>
#include <sstream>

#include "sto/mail.h"
#include "support.h"

namespace sto {
namespace {

using mail_test::read_message_bytes;

const std::filesystem::path kTemplates = std::filesystem::path(STO_SOURCE_DIR) / "templates";
constexpr std::time_t kThursday = 1795701780;  // Thu, 26 Nov 2026 14:03:00 UTC
const std::string kLink = "https://sto.example.nl/t/q3J5x0V9Zr7mFh2LkPq_wTnYb8cXeA4sD6gUoIi1-0M";
// 97 characters: quoted-printable must soft-break it, and every reader must join it again.
const std::string kLongLink =
    "https://onderteken.sto-regio-gelderse-ijssel.nl/teken/q3J5x0V9Zr7mFh2LkPq_wTnYb8cXeA4sD6gUoIi1-0M";
const std::string kSubject =
    "Uitnodiging: café ’t Hoekje in Łódź – onderteken de samenwerkingsovereenkomst Sterk Techniekonderwijs";

Mail sample() {
  Mail m;
  m.from = {"STO-regio Gelderse IJssel", "noreply@sto.test"};
  m.to = {"Łukasz Ébène’s", "lukasz@example.nl"};
  m.subject = kSubject;
  m.text =
      "Geachte heer Ébène,\n\nUw link:\n\n" + kLink + "\n\nOf deze:\n\n" + kLongLink + "\n\n.\nFrom here\nEinde \n";
  m.html = "<p>Geachte heer &Eacute;b&egrave;ne, caf&eacute; ’t</p>\n<p><a href=\"" + kLongLink + "\">Open</a></p>\n";
  return m;
}

std::vector<std::string> lines(const std::string& bytes) {
  std::vector<std::string> out;
  for (std::size_t start = 0; start < bytes.size();) {
    const std::size_t end = bytes.find("\r\n", start);
    if (end == std::string::npos) {
      out.push_back(bytes.substr(start));
      break;
    }
    out.push_back(bytes.substr(start, end - start));
    start = end + 2;
  }
  return out;
}

bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

std::string unbase64(const std::string& b64) {
  std::string out(b64.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
  out.resize(static_cast<std::size_t>(n) - std::count(b64.end() - 2, b64.end(), '='));
  return out;
}

MailContext context() {
  MailContext c;
  c.regio = "Gelderse IJssel";
  c.kenmerk = "STO-2026-0042";
  c.versie = 3;
  c.document_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  c.penvoerder = "Stichting Techniek Oost";
  c.partner = "Graafschap College";
  c.naam = "Anneke Ünal";
  c.functie = "voorzitter college van bestuur";
  c.link = kLink;
  c.verloopt = kThursday;
  c.ca_fingerprint = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
  c.ingangsdatum = 1798795800;  // 1 januari 2027, 09:30 UTC
  return c;
}

// The first boundary parameter in `bytes`.
std::string boundary(const std::string& bytes) {
  const std::size_t at = bytes.find("boundary=\"");
  if (at == std::string::npos) return "";
  return bytes.substr(at + 10, bytes.find('"', at + 10) - at - 10);
}

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l == line) return true;
  }
  return false;
}

// --- compose ---

TEST(MailCompose, SubjectAndNamesDecodeExactly) {
  const auto read = read_message_bytes(compose(sample(), "abc@sto.test", kThursday));
  EXPECT_EQ(read.subject, kSubject);
  EXPECT_EQ(read.to_name, "Łukasz Ébène’s");
  EXPECT_EQ(read.to_address, "lukasz@example.nl");
  EXPECT_EQ(read.from_name, "STO-regio Gelderse IJssel");
  EXPECT_EQ(read.from_address, "noreply@sto.test");
  EXPECT_TRUE(read.defects.empty()) << read.defects.front();
}

TEST(MailCompose, NameWithSpecialsIsQuoted) {
  Mail m = sample();
  m.to.naam = "Boer, \"Piet\" (IJ)";
  const std::string bytes = compose(m, "abc@sto.test", kThursday);
  EXPECT_NE(bytes.find("To: \"Boer, \\\"Piet\\\" (IJ)\" <lukasz@example.nl>\r\n"), std::string::npos);
  EXPECT_EQ(read_message_bytes(bytes).to_name, "Boer, \"Piet\" (IJ)");
}

TEST(MailCompose, EveryLineFitsAndHeadersAreAscii) {
  Mail m = sample();
  m.attachments.push_back({"bijlage.pdf", "application/pdf", std::string(10000, 'x')});
  const std::string bytes = compose(m, "abc@sto.test", kThursday);
  const auto all = lines(bytes);
  bool in_headers = true;
  for (const auto& line : all) {
    EXPECT_LE(line.size(), 78u) << line;
    if (line.empty()) in_headers = false;
    if (in_headers) {
      EXPECT_TRUE(std::all_of(line.begin(), line.end(), [](char c) { return c >= 0x20 && c < 0x7f; })) << line;
    }
  }
  // CRLF everywhere: as many CR as LF, each CR followed by LF.
  EXPECT_EQ(std::count(bytes.begin(), bytes.end(), '\r'), std::count(bytes.begin(), bytes.end(), '\n'));
  EXPECT_EQ(std::ssize(all), std::count(bytes.begin(), bytes.end(), '\n'));
}

TEST(MailCompose, EncodedWordsHoldWholeCharacters) {
  Mail m = sample();
  m.subject = "a";
  for (int i = 0; i < 40; ++i) m.subject += "Ł€";  // 2- and 3-byte characters at every offset
  const std::string bytes = compose(m, "abc@sto.test", kThursday);
  int words = 0;
  const std::string headers = bytes.substr(0, bytes.find("\r\n\r\n"));
  for (std::size_t at = headers.find("=?UTF-8?B?"); at != std::string::npos; at = headers.find("=?UTF-8?B?", at + 1)) {
    const std::size_t end = headers.find("?=", at + 10);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end + 2 - at, 75u);
    EXPECT_TRUE(valid_utf8(unbase64(headers.substr(at + 10, end - at - 10)))) << headers.substr(at, end + 2 - at);
    ++words;
  }
  EXPECT_GT(words, 4);
  EXPECT_EQ(read_message_bytes(bytes).subject, m.subject);
}

TEST(MailCompose, CarriesDateMessageIdAndAutoSubmitted) {
  const std::string bytes = compose(sample(), "0123abcd@sto.test", kThursday);
  const std::string headers = bytes.substr(0, bytes.find("\r\n\r\n") + 2);
  EXPECT_NE(headers.find("Date: Thu, 26 Nov 2026 14:03:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(headers.find("Message-ID: <0123abcd@sto.test>\r\n"), std::string::npos);
  EXPECT_NE(headers.find("MIME-Version: 1.0\r\n"), std::string::npos);
  EXPECT_NE(headers.find("Auto-Submitted: auto-generated\r\n"), std::string::npos);
  const auto read = read_message_bytes(bytes);
  EXPECT_EQ(read.message_id, "<0123abcd@sto.test>");
  EXPECT_EQ(read.auto_submitted, "auto-generated");
  EXPECT_EQ(read.content_type, "multipart/alternative");
  EXPECT_EQ(read.parts, (std::vector<std::string>{"multipart/alternative", "text/plain", "text/html"}));
}

TEST(MailCompose, IsDeterministicWithBoundariesFromTheMessageId) {
  const std::string a = compose(sample(), "one@sto.test", kThursday);
  EXPECT_EQ(a, compose(sample(), "one@sto.test", kThursday));
  const std::string b = compose(sample(), "two@sto.test", kThursday);
  EXPECT_NE(boundary(a), boundary(b));
  EXPECT_EQ(boundary(a).size(), 30u);
}

TEST(MailCompose, LinksSurviveQuotedPrintableInBothParts) {
  const std::string bytes = compose(sample(), "abc@sto.test", kThursday);
  EXPECT_NE(bytes.find("\r\n" + kLink + "\r\n"), std::string::npos);  // ≤ 75 characters: never broken
  EXPECT_EQ(bytes.find(kLongLink), std::string::npos);                // longer: soft-broken in the raw
  const auto read = read_message_bytes(bytes);
  ASSERT_TRUE(read.plain && read.html);
  EXPECT_TRUE(has_line(*read.plain, kLink));
  EXPECT_TRUE(has_line(*read.plain, kLongLink));
  EXPECT_NE(read.html->find("href=\"" + kLongLink + "\""), std::string::npos);
  EXPECT_EQ(*read.plain, sample().text);  // and the rest of the text, byte for byte
}

TEST(MailCompose, ProtectsDotAndFromLinesAndTrailingBlanks) {
  const std::string bytes = compose(sample(), "abc@sto.test", kThursday);
  EXPECT_NE(bytes.find("\r\n=2E\r\n"), std::string::npos);
  EXPECT_NE(bytes.find("\r\n=46rom here\r\n"), std::string::npos);
  EXPECT_NE(bytes.find("\r\nEinde=20\r\n"), std::string::npos);
  EXPECT_TRUE(has_line(*read_message_bytes(bytes).plain, "."));
}

TEST(MailCompose, AttachmentRoundTripsWithNonAsciiName) {
  std::string pdf(100'000, '\0');
  std::mt19937 random(42);
  for (auto& c : pdf) c = static_cast<char>(random());
  Mail m = sample();
  const std::string name = "overeenkomst-Łódź-café-regio-Gelderse-IJssel-versie-3-ondertekend.pdf";
  m.attachments.push_back({name, "application/pdf", pdf});
  m.attachments.push_back({"één.txt", "text/plain", "kort\n"});
  const std::string bytes = compose(m, "abc@sto.test", kThursday);
  EXPECT_NE(bytes.find("filename*0*=UTF-8''overeenkomst-%C5%81%C3%B3d%C5%BA"), std::string::npos);  // RFC 2231 §3
  EXPECT_NE(bytes.find("filename*=UTF-8''%C3%A9%C3%A9n.txt\r\n"), std::string::npos);
  const auto read = read_message_bytes(bytes);
  EXPECT_EQ(read.parts, (std::vector<std::string>{"multipart/mixed", "multipart/alternative", "text/plain", "text/html",
                                                  "application/pdf", "text/plain"}));
  ASSERT_EQ(read.attachments.size(), 2u);
  EXPECT_EQ(read.attachments[0].filename, name);
  EXPECT_EQ(read.attachments[0].content_type, "application/pdf");
  EXPECT_EQ(read.attachments[0].bytes, pdf);
  EXPECT_EQ(read.attachments[1].filename, "één.txt");
  EXPECT_EQ(read.attachments[1].bytes, "kort\n");
  EXPECT_TRUE(read.defects.empty());
}

TEST(MailCompose, AttachmentNameCannotBeAPath) {
  Mail m = sample();
  m.attachments.push_back({"../../.bashrc", "text/plain", "x"});
  EXPECT_EQ(read_message_bytes(compose(m, "abc@sto.test", kThursday)).attachments.at(0).filename, ".._.._.bashrc");
}

TEST(MailCompose, TextOnlyWhenHtmlIsEmpty) {
  Mail m = sample();
  m.html.clear();
  const auto read = read_message_bytes(compose(m, "abc@sto.test", kThursday));
  EXPECT_EQ(read.parts, (std::vector<std::string>{"text/plain"}));
  EXPECT_EQ(read.plain, m.text);
  EXPECT_FALSE(read.html);
}

TEST(MailCompose, RefusesAddressesAndIdsThatCouldInjectHeaders) {
  Mail m = sample();
  m.to.adres = "lukasz@example.nl\r\nBcc: spy@example.org";
  EXPECT_THROW(compose(m, "abc@sto.test", kThursday), Error);
  m = sample();
  m.from.adres = "Spy <spy@example.org>";
  EXPECT_THROW(compose(m, "abc@sto.test", kThursday), Error);
  EXPECT_THROW(compose(sample(), "abc@sto.test>\r\nBcc: x@y", kThursday), Error);
  m = sample();
  m.attachments.push_back({"a.pdf", "application/pdf\r\nX: y", "x"});
  EXPECT_THROW(compose(m, "abc@sto.test", kThursday), Error);
}

TEST(MailCompose, SubjectWithLineBreakStaysOneHeader) {
  Mail m = sample();
  m.subject = "Hallo\r\nBcc: spy@example.org";
  const std::string bytes = compose(m, "abc@sto.test", kThursday);
  EXPECT_EQ(bytes.find("\r\nBcc:"), std::string::npos);
  EXPECT_EQ(read_message_bytes(bytes).subject.find("Bcc: spy@example.org"), 7u);
}

TEST(MailCompose, NewMessageIdIsRandomAtTheSendersDomain) {
  const std::string a = new_message_id({"", "noreply@sto.test"});
  EXPECT_EQ(a.size(), 32u + 9u);
  EXPECT_TRUE(mail_test::is_lower_hex(a.substr(0, 32))) << a;
  EXPECT_EQ(a.substr(32), "@sto.test");
  EXPECT_NE(a, new_message_id({"", "noreply@sto.test"}));
  EXPECT_EQ(new_message_id({"", "geen-adres"}).substr(32), "@sto.invalid");
}

// --- the workflow's messages ---

TEST(MailTemplates, InvitationSaysWhoWhatForWhomAndUntilWhen) {
  const Mail m = invitation(kTemplates, {"STO", "noreply@sto.test"}, {"Anneke Ünal", "a@example.nl"}, context());
  EXPECT_EQ(m.subject, "Verzoek tot ondertekening: samenwerkingsovereenkomst STO Gelderse IJssel (STO-2026-0042)");
  for (const std::string& needle :
       {std::string("Geachte Anneke Ünal,"), std::string("Stichting Techniek Oost, penvoerder"),
        std::string("samenwerkingsovereenkomst Sterk Techniekonderwijs regio Gelderse IJssel"),
        std::string("namens Graafschap College, als voorzitter college van bestuur"), std::string("Versie:  3"),
        context().document_sha256, std::string("geldig tot 26 november 2026, 14:03 UTC"), std::string("weigeren"),
        std::string("niet door")}) {
    EXPECT_NE(m.text.find(needle), std::string::npos) << needle;
  }
  EXPECT_TRUE(has_line(m.text, kLink));
  EXPECT_NE(m.html.find("href=\"" + kLink + "\""), std::string::npos);
  EXPECT_NE(m.html.find("26 november 2026, 14:03 UTC"), std::string::npos);
  EXPECT_EQ(m.html.find("<script"), std::string::npos);
  EXPECT_EQ(m.html.find("src="), std::string::npos);  // no external resources
  EXPECT_EQ(m.to.adres, "a@example.nl");
  EXPECT_TRUE(m.attachments.empty());
}

TEST(MailTemplates, ReminderIsAReminderWithTheLink) {
  const Mail m = reminder(kTemplates, {"STO", "noreply@sto.test"}, {"", "a@example.nl"}, context());
  EXPECT_TRUE(m.subject.starts_with("Herinnering: ")) << m.subject;
  EXPECT_NE(m.text.find("nog niet ondertekend"), std::string::npos);
  EXPECT_TRUE(has_line(m.text, kLink));
  EXPECT_NE(m.html.find("href=\"" + kLink + "\""), std::string::npos);
}

TEST(MailTemplates, ThePenvoerdersNoticesNameWhatHappenedAndLinkToTheAgreement) {
  MailContext c = context();
  c.email = "a@example.nl";
  c.reden = "Wij <doen> niet mee & dat is dat";
  c.melding = "550 5.1.1 <a@example.nl>: Recipient address rejected";
  c.overzicht = "Stand: 1 van 9 handtekeningen\n- getekend: Anneke Ünal (Graafschap College)";
  const MailAddress from{"STO", "noreply@sto.test"};
  const MailAddress to{"", "penvoerder@example.nl"};
  const Mail declined = declined_notice(kTemplates, from, to, c);
  EXPECT_TRUE(declined.subject.starts_with("Geweigerd: Anneke Ünal (Graafschap College)")) << declined.subject;
  EXPECT_NE(declined.text.find(c.reden), std::string::npos);
  EXPECT_NE(declined.html.find("Wij &lt;doen&gt; niet mee &amp; dat is dat"), std::string::npos);
  const Mail bounced = bounce_notice(kTemplates, from, to, c);
  EXPECT_TRUE(bounced.subject.starts_with("Mail niet bezorgd: ")) << bounced.subject;
  EXPECT_NE(bounced.text.find(c.melding), std::string::npos);
  EXPECT_NE(bounced.text.find("a@example.nl"), std::string::npos);
  const Mail done = completed_notice(kTemplates, from, to, c);
  EXPECT_TRUE(done.subject.starts_with("Rond: STO-2026-0042 versie 3")) << done.subject;
  EXPECT_NE(done.text.find("gaat in op 1 januari 2027."), std::string::npos);
  const Mail summary = daily_summary(kTemplates, from, to, c);
  EXPECT_TRUE(summary.subject.starts_with("Stand van zaken STO-2026-0042")) << summary.subject;
  EXPECT_NE(summary.text.find(c.overzicht), std::string::npos);
  for (const Mail* m : {&declined, &bounced, &done, &summary}) {
    EXPECT_TRUE(has_line(m->text, kLink)) << m->subject;
    EXPECT_NE(m->html.find("href=\"" + kLink + "\""), std::string::npos) << m->subject;
    EXPECT_EQ(m->text.find("${"), std::string::npos) << m->subject;
    EXPECT_EQ(m->html.find("<script"), std::string::npos);
    EXPECT_TRUE(m->attachments.empty());
  }
}

TEST(MailTemplates, CompletionAttachesThePdfAndTellsHowToVerify) {
  const Attachment pdf{"STO-2026-0042-v3-getekend.pdf", "application/pdf", std::string("%PDF-1.7\n\0\xff", 11)};
  const Mail m = completion(kTemplates, {"STO", "noreply@sto.test"}, {"", "a@example.nl"}, context(), pdf);
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].bytes, pdf.bytes);
  EXPECT_EQ(m.attachments[0].bestandsnaam, pdf.bestandsnaam);
  EXPECT_NE(m.text.find("gaat in op 1 januari 2027."), std::string::npos);
  EXPECT_TRUE(has_line(m.text, context().ca_fingerprint));
  EXPECT_NE(m.text.find("pdfsig -nssdir sql:nss"), std::string::npos);
  EXPECT_NE(m.html.find(context().ca_fingerprint), std::string::npos);
  EXPECT_NE(m.html.find("&lt;bestand&gt;.pdf"), std::string::npos);
  const auto read = read_message_bytes(compose(m, "x@sto.test", kThursday));
  ASSERT_EQ(read.attachments.size(), 1u);
  EXPECT_EQ(read.attachments[0].bytes, pdf.bytes);
}

TEST(MailTemplates, HtmlPartEscapesValuesTextPartDoesNot) {
  MailContext c = context();
  c.naam = "Jan <b>&amp;</b> \"Piet\" O'Neil";
  const Mail m = invitation(kTemplates, {"STO", "noreply@sto.test"}, {"", "a@example.nl"}, c);
  EXPECT_NE(m.html.find("Geachte Jan &lt;b&gt;&amp;amp;&lt;/b&gt; &quot;Piet&quot; O&#39;Neil,"), std::string::npos);
  EXPECT_EQ(m.html.find("<b>"), std::string::npos);
  EXPECT_NE(m.text.find("Geachte Jan <b>&amp;</b> \"Piet\" O'Neil,"), std::string::npos);
}

TEST(MailTemplates, LineBreakInAValueDoesNotBreakTheSubject) {
  MailContext c = context();
  c.regio = "Twente\nBcc: spy@example.org";
  const Mail m = invitation(kTemplates, {"STO", "noreply@sto.test"}, {"", "a@example.nl"}, c);
  EXPECT_EQ(m.subject.find('\n'), std::string::npos);
  EXPECT_NE(m.subject.find("Twente Bcc"), std::string::npos);
}

class MailTemplateErrors : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::copy(kTemplates / "mail", dir_.path() / "mail"); }
  void append(const std::string& file, const std::string& text) {
    std::ofstream(dir_.path() / "mail" / file, std::ios::app) << text;
  }
  std::string error_of_reminder() {
    try {
      reminder(dir_.path(), {"STO", "noreply@sto.test"}, {"", "a@example.nl"}, context());
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
  mail_test::TempDir dir_;
};

TEST_F(MailTemplateErrors, UnknownPlaceholderNamesFileAndPlaceholder) {
  append("herinnering.html", "<p>${naam_partner}</p>\n");
  const std::string what = error_of_reminder();
  EXPECT_NE(what.find("herinnering.html"), std::string::npos) << what;
  EXPECT_NE(what.find("${naam_partner}"), std::string::npos) << what;
}

TEST_F(MailTemplateErrors, UnterminatedPlaceholderNamesTheFile) {
  append("herinnering.txt", "${naam\n");
  const std::string what = error_of_reminder();
  EXPECT_NE(what.find("herinnering.txt"), std::string::npos) << what;
  EXPECT_NE(what.find("'}'"), std::string::npos) << what;
}

TEST_F(MailTemplateErrors, TextWithoutSubjectLineIsAnError) {
  std::ofstream(dir_.path() / "mail" / "herinnering.txt", std::ios::trunc) << "Geachte ${naam},\n";
  EXPECT_NE(error_of_reminder().find("Onderwerp"), std::string::npos);
}

TEST_F(MailTemplateErrors, MissingTemplateIsAnErrorNamingIt) {
  std::filesystem::remove(dir_.path() / "mail" / "herinnering.html");
  EXPECT_NE(error_of_reminder().find("herinnering.html"), std::string::npos);
}

}  // namespace
}  // namespace sto
