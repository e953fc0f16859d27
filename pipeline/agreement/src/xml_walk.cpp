#include "xml_walk.h"

#include <vector>

#include "sto/utf8.h"

namespace sto::detail {

namespace {

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view prefix_of(std::string_view qname) {
  const auto colon = qname.find(':');
  return colon == std::string_view::npos ? std::string_view{} : qname.substr(0, colon);
}

std::string_view local_of(std::string_view qname) {
  const auto colon = qname.find(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

std::string join_names(std::span<const ChildSpec> specs) {
  std::string out;
  for (const auto& spec : specs) {
    if (!out.empty()) out += ", ";
    out += "<" + std::string(spec.name) + ">";
  }
  return out.empty() ? "—" : out;
}

std::string shorten(std::string text) {
  constexpr std::size_t kMax = 40;
  if (text.size() <= kMax) return text;
  return text.substr(0, utf8_prefix(text, kMax)) + "…";
}

}  // namespace

std::string collapse_whitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (char c : text) {
    if (is_xml_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

std::string Walker::namespace_of(pugi::xml_node node) const { return resolve(node, prefix_of(node.name())); }

// The URI `prefix` ("" for the default namespace) is bound to at `node`. Memoised per element
// and prefix, and iterative: a hostile file with many attributes, children or levels must make
// this neither quadratic nor deep.
const std::string& Walker::resolve(pugi::xml_node node, std::string_view prefix) const {
  static const std::string kNone;
  static const std::string kXml = "http://www.w3.org/XML/1998/namespace";
  const std::string attribute = prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
  std::vector<pugi::xml_node_struct*> unresolved;
  const std::string* uri = nullptr;
  for (auto n = node; n && n.type() == pugi::node_element && uri == nullptr; n = n.parent()) {
    if (const auto it = namespaces_.find({n.internal_object(), std::string(prefix)}); it != namespaces_.end()) {
      uri = &it->second;
    } else if (const auto own = n.attribute(attribute.c_str())) {
      uri = &namespaces_.emplace(std::pair{n.internal_object(), std::string(prefix)}, own.value()).first->second;
    } else {
      unresolved.push_back(n.internal_object());
    }
  }
  if (uri == nullptr) uri = prefix == "xml" ? &kXml : &kNone;
  // Ancestors are shared by many lookups; the element itself (often a leaf) is not remembered.
  for (std::size_t i = 1; i < unresolved.size(); ++i)
    namespaces_.emplace(std::pair{unresolved[i], std::string(prefix)}, *uri);
  return *uri;
}

std::string Walker::name(pugi::xml_node node) const {
  const std::string_view local = local_of(node.name());
  const std::string ns = namespace_of(node);
  if (ns == ns_) return std::string(local);
  // Clark notation: never equal to one of our names, and it says where the element really is.
  return "{" + ns + "}" + std::string(local);
}

void Walker::check_attributes(pugi::xml_node node, std::initializer_list<std::string_view> allowed) {
  for (const auto attribute : node.attributes()) {
    if (overflow_) return;
    const std::string_view name = attribute.name();
    if (name == "xmlns" || name.find(':') != std::string_view::npos) continue;
    bool known = false;
    for (const auto candidate : allowed) known = known || candidate == name;
    if (!known) report("xml.onbekend-attribuut", node, {}, {{"naam", std::string(name)}});
  }
}

std::optional<std::string> Walker::optional(pugi::xml_node node, const char* attribute) {
  const auto a = node.attribute(attribute);
  if (!a) return std::nullopt;
  std::string value = collapse_whitespace(a.value());
  check_visible(node, attribute, value);
  return value;
}

void Walker::check_visible(pugi::xml_node node, std::string_view what, std::string_view value) {
  for (std::size_t at = 0; at < value.size();) {
    const auto c = next_code_point(value, at);
    // C1 controls pass XML 1.0 and show as nothing (or act on a terminal).
    if (c && (is_invisible(*c) || (*c >= 0x80 && *c < 0xA0))) {
      report("tekst.onzichtbaar", node, {}, {{"naam", std::string(what)}, {"teken", code_point_name(*c)}});
      return;
    }
  }
}

std::optional<std::string> Walker::required(pugi::xml_node node, const char* attribute, std::string_view subject) {
  auto value = optional(node, attribute);
  if (!value) {
    report("xml.ontbreekt-attribuut", node, std::string(subject), {{"naam", attribute}});
  } else if (value->empty()) {
    report("waarde.leeg", node, std::string(subject), {{"naam", attribute}});
    value.reset();
  }
  return value;
}

void Walker::children(pugi::xml_node parent, std::span<const ChildSpec> specs, bool ordered,
                      const std::function<void(std::size_t, pugi::xml_node)>& visit) {
  std::vector<int> counts(specs.size(), 0);
  std::size_t position = 0;
  std::string previous;
  for (const auto child : parent.children()) {
    if (overflow_) return;  // the file is refused already; walking on would only cost time
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      const std::string stray = collapse_whitespace(child.value());
      if (!stray.empty()) report("xml.tekst", parent, {}, {{"tekst", shorten(stray)}});
      continue;
    }
    if (child.type() != pugi::node_element) continue;  // comments, processing instructions
    const std::string child_name = name(child);
    std::size_t index = 0;
    while (index < specs.size() && specs[index].name != child_name) ++index;
    if (index == specs.size()) {
      report("xml.onbekend-element", child, {},
             {{"naam", child_name}, {"ouder", name(parent)}, {"toegestaan", join_names(specs)}});
      continue;
    }
    if (ordered && index < position) {
      report("xml.volgorde", child, {}, {{"naam", child_name}, {"na", previous}});
    } else {
      position = index;
      previous = child_name;
    }
    const auto& spec = specs[index];
    if (spec.max >= 0 && ++counts[index] > spec.max) {
      report("xml.dubbel-element", child, {}, {{"naam", child_name}});
      continue;
    }
    if (spec.max < 0) ++counts[index];
    visit(index, child);
  }
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (counts[i] < specs[i].min) {
      report("xml.ontbreekt-element", parent, {}, {{"naam", std::string(specs[i].name)}, {"ouder", name(parent)}});
    }
  }
}

std::string Walker::text(pugi::xml_node node) {
  std::string raw;
  for (const auto child : node.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      raw += child.value();
    } else if (child.type() == pugi::node_element) {
      report("xml.onbekend-element", child, {}, {{"naam", name(child)}, {"ouder", name(node)}, {"toegestaan", "—"}});
    }
  }
  std::string value = collapse_whitespace(raw);
  check_visible(node, name(node), value);
  return value;
}

void Walker::report(std::string_view rule, pugi::xml_node node, std::string subject,
                    std::vector<std::pair<std::string, std::string>> args) {
  if (findings_.size() >= kMaxFindings) {
    overflow_ = true;
    return;
  }
  findings_.push_back(make_finding(rule, line(node), name(node), std::move(subject), std::move(args)));
}

}  // namespace sto::detail
