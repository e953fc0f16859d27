// Text put into HTML or XML: the one place sto escapes it, for the signing pages (signing/server),
// the mails' HTML part (signing/mail), the benchmark's HTML contract (bench/) and the agreement XML
// that a partner sheet's import writes (pipeline/sheet).
#pragma once

#include <string>
#include <string_view>

namespace sto {

// `text` with & < > " ' written as &amp; &lt; &gt; &quot; &#39; and every other byte as it is
// (UTF-8 passes through untouched). Safe as element content and as an attribute value in double
// or single quotes alike, so no caller has to know which of the two it writes. Never fails.
std::string html_escape(std::string_view text);

// As html_escape, but apostrophes stay as they are: for XML that people read and edit (the
// agreement file), in element content and double-quoted attribute values only. Never fails.
std::string xml_escape(std::string_view text);

}  // namespace sto
