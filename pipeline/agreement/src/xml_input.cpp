#include "xml_input.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <iterator>
#include <memory>
#include <string>

#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include "sto/utf8.h"

namespace sto::detail {

LineTable::LineTable(std::string_view text) {
  starts_.push_back(0);
  // XML 1.0 §2.11: CR LF, lone CR and LF all end a line.
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool lone_cr = text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n');
    if (text[i] == '\n' || lone_cr) starts_.push_back(i + 1);
  }
}

int LineTable::line_of(std::ptrdiff_t offset) const {
  if (offset < 0) return 0;
  const auto it = std::upper_bound(starts_.begin(), starts_.end(), static_cast<std::size_t>(offset));
  return static_cast<int>(it - starts_.begin());
}

namespace {

bool forbidden_control(unsigned char c) { return c < 0x20 && c != '\t' && c != '\n' && c != '\r'; }

std::string hex_byte(unsigned char c) {
  std::array<char, 8> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "0x%02X", c);
  return buffer.data();
}

std::string code_point(unsigned char c) {
  std::array<char, 8> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "U+%04X", c);
  return buffer.data();
}

}  // namespace

bool check_text_bytes(std::string_view bytes, const LineTable& lines, Findings& findings) {
  bool clean = true;
  bool reported_encoding = false;
  bool reported_control = false;
  std::size_t i = 0;
  while (i < bytes.size() && !(reported_encoding && reported_control)) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    const std::size_t length = utf8_sequence_length(bytes, i);
    if (length == 0) {
      if (!reported_encoding) {
        findings.push_back(make_finding("xml.codering", lines.line_of(static_cast<std::ptrdiff_t>(i)), {}, {},
                                        {{"byte", hex_byte(c)}}));
        reported_encoding = true;
      }
      clean = false;
      ++i;
      continue;
    }
    if (forbidden_control(c) && !reported_control) {
      findings.push_back(
          make_finding("xml.teken", lines.line_of(static_cast<std::ptrdiff_t>(i)), {}, {}, {{"teken", code_point(c)}}));
      reported_control = true;
      clean = false;
    }
    i += length;
  }
  return clean;
}

bool check_attribute_counts(pugi::xml_node root, const LineTable& lines, Findings& findings) {
  // Iterative: nesting depth is not limited yet (libxml2 checks that afterwards).
  pugi::xml_node node = root;
  while (node) {
    if (node.type() == pugi::node_element) {
      std::size_t count = 0;
      for (auto a = node.first_attribute(); a && count <= kMaxAttributesPerElement; a = a.next_attribute()) ++count;
      if (count > kMaxAttributesPerElement) {
        const auto all = static_cast<std::size_t>(std::distance(node.attributes_begin(), node.attributes_end()));
        findings.push_back(make_finding("xml.te-veel-attributen", lines.line_of(node.offset_debug()), node.name(), {},
                                        {{"naam", node.name()},
                                         {"aantal", std::to_string(all)},
                                         {"maximum", std::to_string(kMaxAttributesPerElement)}}));
        return false;
      }
    }
    if (node.first_child()) {
      node = node.first_child();
      continue;
    }
    while (node && node != root && !node.next_sibling()) node = node.parent();
    if (!node || node == root) break;
    node = node.next_sibling();
  }
  return true;
}

bool check_well_formed(std::string_view bytes, Findings& findings) {
  // A streaming reader: no second tree in memory, whatever the file's size.
  struct ReaderDeleter {
    void operator()(xmlTextReaderPtr r) const { xmlFreeTextReader(r); }
  };
  struct FirstError {
    std::string message;
    int line = 0;
  } first;
  // No entity substitution, no DTD loading, no network.
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  std::unique_ptr<xmlTextReader, ReaderDeleter> reader(
      xmlReaderForMemory(bytes.data(), static_cast<int>(bytes.size()), "agreement.xml", "UTF-8", options));
  if (!reader) throw Error("libxml2: geen XML-lezer beschikbaar");
  xmlTextReaderSetStructuredErrorHandler(
      reader.get(),
      [](void* arg, xmlErrorPtr error) {
        auto* out = static_cast<FirstError*>(arg);
        if (!out->message.empty() || error == nullptr || error->level < XML_ERR_ERROR) return;
        out->message = error->message != nullptr ? error->message : "unreadable XML";
        out->line = error->line;
      },
      &first);
  int status = 1;
  while (status == 1) status = xmlTextReaderRead(reader.get());
  if (status == 0 && first.message.empty()) return true;
  std::string what = first.message.empty() ? "unreadable XML" : first.message;
  while (!what.empty() && (what.back() == '\n' || what.back() == ' ')) what.pop_back();
  findings.push_back(make_finding("xml.misvormd", first.line > 0 ? first.line : 1, {}, {},
                                  {{"fout_nl", "de XML-parser meldt: " + what}, {"fout_en", what}}));
  return false;
}

}  // namespace sto::detail
