// HTML escaping: the one escaper, for element content and attribute values alike.
#include <gtest/gtest.h>

#include "sto/html.h"

namespace sto {
namespace {

TEST(Html, EscapesAmpersandAnglesAndBothQuotes) {
  EXPECT_EQ(html_escape("&"), "&amp;");
  EXPECT_EQ(html_escape("<"), "&lt;");
  EXPECT_EQ(html_escape(">"), "&gt;");
  EXPECT_EQ(html_escape("\""), "&quot;");
  EXPECT_EQ(html_escape("'"), "&#39;");
  EXPECT_EQ(html_escape("<a title='x' href=\"y\">Tom & Jerry</a>"),
            "&lt;a title=&#39;x&#39; href=&quot;y&quot;&gt;Tom &amp; Jerry&lt;/a&gt;");
}

TEST(Html, EscapesAnEntityAgainRatherThanTrustingIt) { EXPECT_EQ(html_escape("&amp;"), "&amp;amp;"); }

TEST(Html, LeavesEveryOtherByteAsItIs) {
  EXPECT_EQ(html_escape(""), "");
  EXPECT_EQ(html_escape("Zoë € 😀, 10 % = 0,1; a/b\\c\n\t"), "Zoë € 😀, 10 % = 0,1; a/b\\c\n\t");
  EXPECT_EQ(html_escape(std::string("a\0b\xFF", 4)), std::string("a\0b\xFF", 4));
}

}  // namespace
}  // namespace sto

namespace sto {
namespace {

TEST(XmlEscape, LeavesApostrophesForPeopleAndEscapesWhatXmlNeeds) {
  EXPECT_EQ(xml_escape("Van 't Oever & Zn. <B.V.> \"x\""), "Van 't Oever &amp; Zn. &lt;B.V.&gt; &quot;x&quot;");
  EXPECT_EQ(xml_escape("Zoë Ünal"), "Zoë Ünal");
}

}  // namespace
}  // namespace sto
