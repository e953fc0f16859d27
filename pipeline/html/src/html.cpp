#include "sto/html.h"

namespace sto {

namespace {

std::string escaped(std::string_view text, bool apostrophe) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += apostrophe ? "&#39;" : "'";  // &apos; is not HTML 4
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string html_escape(std::string_view text) { return escaped(text, true); }
std::string xml_escape(std::string_view text) { return escaped(text, false); }

}  // namespace sto
