// Text put into HTML: the one place sto escapes it, for the signing pages (signing/server), the
// mails' HTML part (signing/mail) and the benchmark's HTML contract (bench/).
#pragma once

#include <string>
#include <string_view>

namespace sto {

// `text` with & < > " ' written as &amp; &lt; &gt; &quot; &#39; and every other byte as it is
// (UTF-8 passes through untouched). Safe as element content and as an attribute value in double
// or single quotes alike, so no caller has to know which of the two it writes. Never fails.
std::string html_escape(std::string_view text);

}  // namespace sto
