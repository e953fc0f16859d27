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
  const Rect columns{l.geometry.margin_left - 0.01, 0, l.geometry.width - l.geometry.margin_right + 0.01, l.geometry.height};
  for (std::size_t p = 0; p < l.pages.size(); ++p) {
    const auto& texts = l.pages[p].texts;
    for (std::size_t i = 0; i < texts.size(); ++i) {
      const Rect box = texts[i].box();
      EXPECT_TRUE(page.contains(box)) << "page " << p + 1 << ": " << texts[i].text;
      EXPECT_TRUE(columns.contains(box)) << "page " << p + 1 << " outside the margins: " << texts[i].text;
      for (std::size_t k = 0; k < i; ++k) {
        EXPECT_FALSE(box.overlaps(texts[k].box())) << "page " << p + 1 << ": \"" << texts[i].text << "\" overlaps \"" << texts[k].text << "\"";
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
    EXPECT_TRUE(texts.contains("Samenwerkingsovereenkomst STO-regio Gelderse IJssel 108 · kenmerk STO25-108-SOK · versie 1")) << p + 1;
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
    for (const auto& [page, lines] : paragraph_lines_per_page(l, "zz")) EXPECT_GE(lines, 2) << "filler " << filler << " page " << page;
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
    int heading_page = 0;
    int next_page = 0;
    for (std::size_t p = 0; p < l.pages.size(); ++p) {
      for (const auto& t : l.pages[p].texts) {
        if (t.text == "Kop") heading_page = static_cast<int>(p + 1);
        if (t.text == "na de kop") next_page = static_cast<int>(p + 1);
      }
    }
    EXPECT_EQ(heading_page, next_page) << "filler " << filler;
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

TEST(Layout, DecodesUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(decode_utf8("Zoë €"), (std::u32string{U'Z', U'o', U'\u00EB', U' ', U'\u20AC'}));
  EXPECT_EQ(decode_utf8("a\xff" "b"), (std::u32string{U'a', U'\uFFFD', U'b'}));
}

}  // namespace
}  // namespace sto
