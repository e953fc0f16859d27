// Private: the schema-independent part of reading our XML with pugixml. A Walker knows the
// namespace, the line table and where findings go; the reader (reader.cpp) says per element
// which attributes and children are allowed.
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "sto/diagnostics.h"
#include "xml_input.h"

namespace sto::detail {

inline constexpr std::string_view kNamespace = "urn:sto:samenwerkingsovereenkomst:1";
inline constexpr std::string_view kWijzigingNamespace = "urn:sto:wijziging:1";

struct ChildSpec {
  std::string_view name;
  int min = 0;
  int max = 1;  // -1: unbounded
};

class Walker {
 public:
  // `ns`: the namespace of the file's own elements (an agreement's, or an amendment's).
  Walker(const LineTable& lines, Findings& findings, std::string_view ns = kNamespace)
      : lines_(lines), findings_(findings), ns_(ns) {}

  int line(pugi::xml_node node) const { return lines_.line_of(node.offset_debug()); }

  // The element's name without prefix when it is in our namespace; else "{ns}name" or the
  // prefixed name, which then matches no ChildSpec and is reported as unknown.
  std::string name(pugi::xml_node node) const;
  // The namespace URI the element's prefix (or default namespace) resolves to; "" for none.
  std::string namespace_of(pugi::xml_node node) const;

  // Warns about unprefixed attributes not in `allowed` (xmlns and prefixed ones are skipped).
  void check_attributes(pugi::xml_node node, std::initializer_list<std::string_view> allowed);

  // The attribute's value with whitespace collapsed; reports it when missing or empty.
  std::optional<std::string> required(pugi::xml_node node, const char* attribute, std::string_view subject = {});
  // The attribute's value with whitespace collapsed, std::nullopt when absent (empty counts).
  // Like text(), reports an invisible character in it (sto/utf8.h is_invisible).
  std::optional<std::string> optional(pugi::xml_node node, const char* attribute);

  // Visits the element children, checking them against `specs` (known names, counts and, when
  // `ordered`, their order), and reporting any non-blank text. Calls `visit(index, child)` for
  // each accepted child, `index` pointing into `specs`.
  void children(pugi::xml_node parent, std::span<const ChildSpec> specs, bool ordered,
                const std::function<void(std::size_t, pugi::xml_node)>& visit);

  // The element's text (character data and CDATA) with whitespace collapsed; reports child
  // elements as unknown.
  std::string text(pugi::xml_node node);

  // Adds a finding at `node`'s line, about `node`'s element (dropped beyond kMaxFindings).
  void report(std::string_view rule, pugi::xml_node node, std::string subject = {},
              std::vector<std::pair<std::string, std::string>> args = {});

  // True when findings were dropped because there were too many.
  bool overflowed() const { return overflow_; }

 private:
  const std::string& resolve(pugi::xml_node node, std::string_view prefix) const;
  // Reports the first invisible or bidirectional control character of `value` (of attribute or
  // element `what`): printed, it would make the contract say something else than it reads.
  void check_visible(pugi::xml_node node, std::string_view what, std::string_view value);

  const LineTable& lines_;
  Findings& findings_;
  std::string_view ns_;
  bool overflow_ = false;
  mutable std::map<std::pair<pugi::xml_node_struct*, std::string>, std::string> namespaces_;
};

// Collapses runs of XML white space to one space and trims both ends.
std::string collapse_whitespace(std::string_view text);

}  // namespace sto::detail
