// Pagination and placement: nothing outside the page or overlapping, fields where they belong,
// tables and paragraphs breaking the way the layout promises.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "sample.h"
#include "sto/layout.h"
#include "sto/render.h"

namespace sto {
namespace {

const std::filesystem::path kTemplates = STO_SOURCE_DIR "/templates";

// Every code point 500/1000 em wide: easy arithmetic for synthetic documents.
class FixedMetrics : public FontMetrics {
 public:
  double advance(FontStyle, char32_t) const override { return 500; }
};

Layout layout_of(const std::string& sample) {
  const Validation v = validate_file(std::string(STO_SOURCE_DIR) + "/samples/" + sample, test::shipped_rule_sets());
  EXPECT_TRUE(v.valid());
  const Document d = Template::load_for(kTemplates, v.agreement.taal).fill(v.agreement);
  PdfRenderer metrics(kTemplates / "fonts");
  return lay_out(d, metrics);
}

const Layout& groot() {
  static const Layout layout = layout_of("regio-groot-108.xml");
  return layout;
}

TEST(Layout, EveryTekenbevoegdeHasOneFieldInsideTheMarginsAndNoFieldsOverlap) {
  const Layout& l = groot();
  ASSERT_EQ(l.fields.size(), 140u);
  const Rect body = l.geometry.body();
  std::set<std::string> ids;
  for (std::size_t i = 0; i < l.fields.size(); ++i) {
    const auto& f = l.fields[i];
    EXPECT_TRUE(ids.insert(f.tekenbevoegde_id).second) << f.tekenbevoegde_id;
    EXPECT_TRUE(body.contains(f.rect)) << f.tekenbevoegde_id;
    EXPECT_GE(f.page, 1);
    EXPECT_LE(f.page, static_cast<int>(l.pages.size()));
    EXPECT_GT(f.rect.width(), 150);
    EXPECT_GT(f.rect.height(), 40);
    for (std::size_t k = 0; k < i; ++k) {
      if (l.fields[k].page == f.page) {
        EXPECT_FALSE(f.rect.overlaps(l.fields[k].rect)) << f.tekenbevoegde_id << " / " << l.fields[k].tekenbevoegde_id;
      }
    }
  }
}

TEST(Layout, NoTextLeavesThePageOrOverlapsOtherTextOrAField) {
  const Layout& l = groot();
  const Rect page{0, 0, l.geometry.width, l.geometry.height};
  const Rect columns{l.geometry.margin_left - 0.01, 0, l.geometry.width - l.geometry.margin_right + 0.01,
                     l.geometry.height};
  for (std::size_t p = 0; p < l.pages.size(); ++p) {
    const auto& texts = l.pages[p].texts;
    for (std::size_t i = 0; i < texts.size(); ++i) {
      const Rect box = texts[i].box();
      EXPECT_TRUE(page.contains(box)) << "page " << p + 1 << ": " << texts[i].text;
      EXPECT_TRUE(columns.contains(box)) << "page " << p + 1 << " outside the margins: " << texts[i].text;
      for (std::size_t k = 0; k < i; ++k) {
        EXPECT_FALSE(box.overlaps(texts[k].box()))
            << "page " << p + 1 << ": \"" << texts[i].text << "\" overlaps \"" << texts[k].text << "\"";
      }
      for (const auto& f : l.fields) {
        if (f.page == static_cast<int>(p + 1)) {
          EXPECT_FALSE(box.overlaps(f.rect)) << texts[i].text << " in field " << f.tekenbevoegde_id;
        }
      }
    }
  }
}

TEST(Layout, APartnersSignatureBlockStaysOnOnePage) {
  std::map<std::string, std::set<int>> pages;
  for (const auto& f : groot().fields) pages[f.partner_id].insert(f.page);
  ASSERT_EQ(pages.size(), 108u);
  for (const auto& [partner, on] : pages) EXPECT_EQ(on.size(), 1u) << partner;
}

TEST(Layout, EveryPageHasHeaderFooterAndFingerprint) {
  const Layout& l = groot();
  const std::string total = std::to_string(l.pages.size());
  for (std::size_t p = 0; p < l.pages.size(); ++p) {
    std::set<std::string> texts;
    for (const auto& t : l.pages[p].texts) texts.insert(t.text);
    EXPECT_TRUE(texts.contains("pagina " + std::to_string(p + 1) + " van " + total)) << p + 1;
    EXPECT_TRUE(
        texts.contains("Samenwerkingsovereenkomst STO-regio Gelderse IJssel 108 · kenmerk STO25-108-SOK · versie 1"))
        << p + 1;
    bool fingerprint = false;
    for (const auto& t : texts) fingerprint = fingerprint || t.starts_with("XML-vingerafdruk (SHA-256): ");
    EXPECT_TRUE(fingerprint) << p + 1;
  }
}

TEST(Layout, TheTableRepeatsItsHeaderOnEveryPageItSpans) {
  const Layout& l = groot();
  std::vector<int> with_header;
  for (std::size_t p = 0; p < l.pages.size(); ++p) {
    for (const auto& t : l.pages[p].texts) {
      if (t.text == "Bijdrage / verantwoordelijkheden") with_header.push_back(static_cast<int>(p + 1));
    }
  }
  ASSERT_GE(with_header.size(), 3u) << "108 rows do not fit on two pages";
  for (std::size_t i = 1; i < with_header.size(); ++i) EXPECT_EQ(with_header[i], with_header[i - 1] + 1);
  // On a continuation page the header row is the first thing in the body.
  const auto& page = l.pages[static_cast<std::size_t>(with_header[1] - 1)];
  double top_body_text = 0;
  double header_y = 0;
  for (const auto& t : page.texts) {
    if (t.y < l.geometry.height - l.geometry.margin_top) top_body_text = std::max(top_body_text, t.y);
    if (t.text == "Bijdrage / verantwoordelijkheden") header_y = t.y;
  }
  EXPECT_EQ(header_y, top_body_text);
}

Document synthetic(std::vector<Block> blocks) {
  Document d;
  d.title = "T";
  d.info.footer = "{pagina}/{paginas}";
  d.blocks = std::move(blocks);
  return d;
}

// Every text run on the page and inside the side margins, and either inside the body or a
// running text beyond the header or footer rule: nothing lands in the gutters between.
void expect_placed(const Layout& l) {
  const Rect page{0, 0, l.geometry.width, l.geometry.height};
  const Rect body = l.geometry.body();
  const double header_rule = l.geometry.height - 44 - 7;
  const double footer_rule = 62;
  for (std::size_t p = 0; p < l.pages.size(); ++p) {
    for (const auto& t : l.pages[p].texts) {
      const Rect box = t.box();
      EXPECT_TRUE(page.contains(box)) << "page " << p + 1 << ": " << t.text;
      EXPECT_GE(box.x1, body.x1 - 0.01) << t.text;
      EXPECT_LE(box.x2, body.x2 + 0.01) << t.text;
      const bool inside = box.y1 >= body.y1 - 0.01 && box.y2 <= body.y2 + 0.01;
      EXPECT_TRUE(inside || box.y1 >= header_rule || box.y2 <= footer_rule)
          << "page " << p + 1 << " in the margin: \"" << t.text << "\" y " << box.y1 << ".." << box.y2;
    }
  }
}

// 1-based page of the first text run that is exactly `text`; 0 when there is none.
int page_of(const Layout& l, std::string_view text) {
  for (std::size_t p = 0; p < l.pages.size(); ++p) {
    for (const auto& t : l.pages[p].texts) {
      if (t.text == text) return static_cast<int>(p + 1);
    }
  }
  return 0;
}

std::string many_words(const std::string& word, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += (i ? " " : "") + word + std::to_string(i);
  return out;
}

// Lines of paragraph text ("w0 w1 ...") per page.
std::map<int, int> paragraph_lines_per_page(const Layout& l, const std::string& first_word_prefix) {
  std::map<int, int> count;
  for (std::size_t p = 0; p < l.pages.size(); ++p) {
    for (const auto& t : l.pages[p].texts) {
      if (t.text.starts_with(first_word_prefix)) ++count[static_cast<int>(p + 1)];
    }
  }
  return count;
}

TEST(Layout, AParagraphNeverLeavesOneLineAloneOnAPage) {
  FixedMetrics metrics;
  for (int filler = 40; filler < 60; ++filler) {
    std::vector<Block> blocks;
    for (int i = 0; i < filler; ++i) blocks.emplace_back(Paragraph{"vul", ParagraphStyle::normal});
    std::string long_text;
    for (int w = 0; w < 400; ++w) long_text += "zz ";
    blocks.emplace_back(Paragraph{long_text, ParagraphStyle::normal});
    const Layout l = lay_out(synthetic(std::move(blocks)), metrics);
    for (const auto& [page, lines] : paragraph_lines_per_page(l, "zz"))
      EXPECT_GE(lines, 2) << "filler " << filler << " page " << page;
  }
}

TEST(Layout, AHeadingIsNeverTheLastThingOnAPage) {
  FixedMetrics metrics;
  for (int filler = 40; filler < 60; ++filler) {
    std::vector<Block> blocks;
    for (int i = 0; i < filler; ++i) blocks.emplace_back(Paragraph{"vul", ParagraphStyle::normal});
    blocks.emplace_back(Heading{1, "9.", "Kop"});
    blocks.emplace_back(Paragraph{"na de kop", ParagraphStyle::normal});
    const Layout l = lay_out(synthetic(std::move(blocks)), metrics);
    EXPECT_NE(page_of(l, "Kop"), 0);
    EXPECT_EQ(page_of(l, "Kop"), page_of(l, "na de kop")) << "filler " << filler;
  }
}

TEST(Layout, AWordWiderThanItsColumnIsBrokenInsideIt) {
  FixedMetrics metrics;
  Table t;
  t.columns = {Column{"A", 1, Align::left}, Column{"B", 1, Align::right}};
  t.rows = {{std::string(200, 'x'), "1"}};
  const Layout l = lay_out(synthetic({t}), metrics);
  const double column_right = l.geometry.margin_left + l.geometry.body().width() / 2;
  int pieces = 0;
  for (const auto& text : l.pages[0].texts) {
    if (text.text.starts_with("xxx")) {
      ++pieces;
      EXPECT_LE(text.x + text.width, column_right + 0.01);
    }
  }
  EXPECT_GT(pieces, 1);
}

TEST(Layout, ATableRowTallerThanAPageSplitsAndRepeatsTheHeader) {
  FixedMetrics metrics;
  Table t;
  t.columns = {Column{"Kolom", 1, Align::left}};
  std::string tall;
  for (int w = 0; w < 3000; ++w) tall += "rr ";
  t.rows = {{tall}};
  const Layout l = lay_out(synthetic({t}), metrics);
  ASSERT_GE(l.pages.size(), 2u);
  for (const auto& page : l.pages) {
    int headers = 0;
    for (const auto& text : page.texts) headers += text.text == "Kolom" ? 1 : 0;
    EXPECT_EQ(headers, 1);
  }
}

TEST(Layout, IsDeterministic) {
  const Layout a = layout_of("regio-middel-25.xml");
  const Layout b = layout_of("regio-middel-25.xml");
  ASSERT_EQ(a.pages.size(), b.pages.size());
  for (std::size_t p = 0; p < a.pages.size(); ++p) {
    ASSERT_EQ(a.pages[p].texts.size(), b.pages[p].texts.size());
    for (std::size_t i = 0; i < a.pages[p].texts.size(); ++i) {
      EXPECT_EQ(a.pages[p].texts[i].text, b.pages[p].texts[i].text);
      EXPECT_EQ(a.pages[p].texts[i].x, b.pages[p].texts[i].x);
      EXPECT_EQ(a.pages[p].texts[i].y, b.pages[p].texts[i].y);
    }
  }
}

}  // namespace
}  // namespace sto

namespace sto {
namespace {

using ::testing::HasSubstr;

TEST(Layout, ALongHeaderFooterAndFingerprintKeepEveryWord) {
  PdfRenderer metrics(kTemplates / "fonts");
  Document d = synthetic({Paragraph{"tekst", ParagraphStyle::normal}});
  const std::string kenmerk(64, 'K');
  // The longest the format allows: a 200-character regio name and a 64-character kenmerk.
  const std::string regio = "STO-regio " + many_words("Achterhoek", 15);
  ASSERT_LE(regio.size(), 200u);
  d.info.header = "Samenwerkingsovereenkomst " + regio + " · kenmerk " + kenmerk + " · versie 7";
  d.info.footer = "pagina {pagina} van {paginas}";
  const std::string hash = "c4abfd5c44a04b2faa4e6920c7da6df0a64b523068a4e56498f5b25c24225054";
  d.info.fingerprint = "XML-vingerafdruk (SHA-256): " + hash;
  const Layout l = lay_out(d, metrics);
  expect_placed(l);
  std::string all;
  for (const auto& t : l.pages[0].texts) all += t.text + " ";
  EXPECT_THAT(all, HasSubstr("Samenwerkingsovereenkomst STO-regio Achterhoek0"));
  EXPECT_THAT(all, HasSubstr("Achterhoek14"));
  EXPECT_THAT(all, HasSubstr(kenmerk + " · versie 7"));
  EXPECT_THAT(all, HasSubstr(hash));
  EXPECT_THAT(all, HasSubstr("pagina 1 van 1"));
  // Beyond what fits, the end of the header survives behind "…", every word of it whole and in
  // order, on at most three lines.
  for (const std::string& start : {many_words("woord", 200), std::string(601, 'W')}) {
    d.info.header = start + " · kenmerk " + kenmerk + " · versie 7";
    const Layout longer = lay_out(d, metrics);
    expect_placed(longer);
    std::vector<std::string> header;
    for (const auto& t : longer.pages[0].texts) {
      if (t.box().y1 > l.geometry.height - 51) header.push_back(t.text);
    }
    ASSERT_FALSE(header.empty());
    EXPECT_LE(header.size(), 3u);
    EXPECT_TRUE(header.front().starts_with("… ")) << header.front();
    std::string joined;
    for (const auto& h : header) joined += h + " ";
    EXPECT_THAT(joined, HasSubstr(kenmerk + " · versie 7"));
    if (start.starts_with("woord")) {
      // The kept words are a contiguous tail: from the first kept word on, none is missing.
      const auto first = joined.find("woord");
      ASSERT_NE(first, std::string::npos);
      const int n = std::stoi(joined.substr(first + 5));
      for (int k = n; k < 200; ++k) EXPECT_THAT(joined, HasSubstr("woord" + std::to_string(k) + " "));
    }
  }
}

TEST(Layout, AFieldsRowOrASignatoryTallerThanAPageFlowsOverPagesInsideTheBody) {
  PdfRenderer metrics(kTemplates / "fonts");
  Fields fields;
  fields.rows.emplace_back("Bevoegd gezag", many_words("gezag", 1500) + " EINDE");
  SignatureBlock block{"p1", "Penvoerder", "School", {}};
  block.signatories.push_back({"s1", "Naam", "Functie", "bestuur", many_words("machtiging", 1500) + " SLOT"});
  block.signatories.push_back({"s2", "Tweede", "Functie", "bestuur", ""});
  const Layout l = lay_out(synthetic({fields, block}), metrics);
  expect_placed(l);
  ASSERT_EQ(l.fields.size(), 2u);
  int last_word_page = 0;
  int einde_page = 0;
  int words = 0;
  for (std::size_t p = 0; p < l.pages.size(); ++p) {
    for (const auto& t : l.pages[p].texts) {
      if (t.text.find("SLOT") != std::string::npos) last_word_page = static_cast<int>(p + 1);
      if (t.text.find("EINDE") != std::string::npos) einde_page = static_cast<int>(p + 1);
      for (std::size_t at = t.text.find("machtiging"); at != std::string::npos; at = t.text.find("machtiging", at + 1))
        ++words;
    }
  }
  EXPECT_GT(einde_page, 1);
  EXPECT_EQ(words, 1500);                       // none lost
  EXPECT_EQ(l.fields[0].page, last_word_page);  // the field stays with the end of the text
  for (const auto& f : l.fields) EXPECT_TRUE(l.geometry.body().contains(f.rect));
  for (std::size_t p = 0; p < l.pages.size(); ++p) {
    for (const auto& t : l.pages[p].texts) {
      for (const auto& f : l.fields) {
        if (f.page == static_cast<int>(p + 1)) {
          EXPECT_FALSE(t.box().overlaps(f.rect)) << t.text;
        }
      }
    }
  }
}

TEST(Layout, AHeadingStaysWithATallFirstFieldsRow) {
  PdfRenderer metrics(kTemplates / "fonts");
  // 40 words: a row that moves whole; 100: between half a page and a page; 140: flows.
  for (const int words : {40, 100, 140})
    for (int filler = 30; filler < 60; ++filler) {
      std::vector<Block> blocks;
      for (int i = 0; i < filler; ++i) blocks.emplace_back(Paragraph{"vul", ParagraphStyle::normal});
      blocks.emplace_back(Heading{2, "", "Kop van de partner"});
      Fields f;
      f.rows.emplace_back("Naam", many_words("lange-naam-van-een-partner", words));
      blocks.emplace_back(f);
      const Layout l = lay_out(synthetic(std::move(blocks)), metrics);
      EXPECT_NE(page_of(l, "Kop van de partner"), 0);
      EXPECT_EQ(page_of(l, "Kop van de partner"), page_of(l, "Naam")) << "filler " << filler << ", words " << words;
    }
}

}  // namespace
}  // namespace sto
