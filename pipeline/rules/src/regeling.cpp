// Reading the regulation data files (templates/regelingen/*.xml). These ship with sto and are
// edited by us, not by penvoerders, so a broken one is an environment error, not a finding.
#include <algorithm>
#include <regex>

#include <pugixml.hpp>

#include "sto/rules.h"
#include "text.h"

namespace sto {

namespace {

constexpr std::string_view kRegelingNamespace = "urn:sto:regeling:1";

class RuleSetReader {
 public:
  RuleSetReader(std::filesystem::path file, std::string_view bytes) : file_(std::move(file)), bytes_(bytes) {}

  RuleSet read(const pugi::xml_node root);

 private:
  [[noreturn]] void fail(pugi::xml_node node, const std::string& what) const {
    const auto offset = static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, node.offset_debug()));
    const auto line = 1 + std::count(bytes_.begin(), bytes_.begin() + std::min(offset, bytes_.size()), '\n');
    throw Error(file_.string() + ":" + std::to_string(line) + ": regelingsbestand: " + what);
  }

  std::string attr(pugi::xml_node node, const char* name) const {
    const auto a = node.attribute(name);
    if (!a || std::string_view(a.value()).empty()) {
      fail(node, std::string("<") + node.name() + "> mist attribuut " + name);
    }
    return a.value();
  }

  template <typename Enum>
  std::vector<Enum> list(pugi::xml_node node, const char* name, std::optional<Enum> (*parse)(std::string_view)) const {
    std::vector<Enum> values;
    for (const auto& word : detail::split_words(attr(node, name))) {
      const auto value = parse(word);
      if (!value) fail(node, "onbekende waarde \"" + word + "\" in " + name);
      values.push_back(*value);
    }
    return values;
  }

  int count(pugi::xml_node node, const char* name) const {
    const std::string text = attr(node, name);
    if (text.size() > 6 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      fail(node, std::string(name) + " is geen aantal");
    }
    return std::stoi(text);
  }

  Cents decimal(pugi::xml_node node, const char* name) const {
    const auto value = parse_euros(attr(node, name));
    if (!value) fail(node, std::string(name) + " is geen getal met hoogstens 2 decimalen");
    return *value;
  }

  std::filesystem::path file_;
  std::string_view bytes_;
};

RuleSet RuleSetReader::read(const pugi::xml_node root) {
  if (std::string_view(root.name()) != "regeling" || root.attribute("xmlns").value() != kRegelingNamespace) {
    fail(root, "het hoofdelement moet <regeling xmlns=\"urn:sto:regeling:1\"> zijn");
  }
  RuleSet set;
  set.file = file_;
  set.naam = detail::collapse(attr(root, "naam"));
  for (const auto node : root.children()) {
    if (node.type() != pugi::node_element) continue;
    const std::string_view name = node.name();
    if (name == "minimumPartners") {
      const auto soort = parse_partner_soort(attr(node, "soort"));
      if (!soort) fail(node, "onbekende soort");
      set.minimum_partners.emplace_back(*soort, count(node, "aantal"));
    } else if (name == "penvoerder") {
      set.penvoerder_soorten = list(node, "soorten", parse_partner_soort);
    } else if (name == "tekenbevoegdheid") {
      const std::string regel = attr(node, "regel");
      if (regel != "R2" && regel != "R3") fail(node, "regel moet R2 of R3 zijn");
      auto& target = regel == "R2" ? set.scholen : set.organisaties;
      target.soorten = list(node, "soorten", parse_partner_soort);
      target.hoedanigheden = list(node, "hoedanigheden", parse_hoedanigheid);
    } else if (name == "cofinanciering") {
      set.cofinanciering_soorten = list(node, "soorten", parse_partner_soort);
      set.cofinanciering_basispunten = decimal(node, "percentage");  // 2 decimals of a percent
      if (set.cofinanciering_basispunten > 10000) fail(node, "percentage is hoogstens 100");
    } else if (name == "maximumSubsidie") {
      const auto soort = parse_regio_soort(attr(node, "regiosoort"));
      if (!soort) fail(node, "onbekende regiosoort");
      set.maximum_subsidie.emplace_back(*soort, decimal(node, "bedrag"));
    } else if (name == "identificatie") {
      IdentifierPattern pattern{attr(node, "veld"), attr(node, "patroon"),
                                detail::split_words(node.attribute("uitgesloten").value()), attr(node, "vorm-nl"),
                                attr(node, "vorm-en")};
      try {
        (void)std::regex(pattern.patroon, std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        fail(node, "patroon is geen geldige reguliere expressie: " + std::string(e.what()));
      }
      set.identificatie.push_back(std::move(pattern));
    } else if (name == "wijziging") {
      const auto soort = parse_wijziging_soort(attr(node, "soort"));
      if (!soort) fail(node, "onbekende soort wijziging");
      const std::string wie = attr(node, "ondertekening");
      if (wie != "iedereen" && wie != "betrokkenen") fail(node, "ondertekening moet iedereen of betrokkenen zijn");
      std::erase(set.wijziging_iedereen, *soort);
      if (wie == "iedereen") set.wijziging_iedereen.push_back(*soort);
    } else {
      fail(node, "onbekend element <" + std::string(name) + ">");
    }
  }
  return set;
}

}  // namespace

std::vector<RuleSet> load_rule_sets(const std::filesystem::path& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".xml") files.push_back(entry.path());
  }
  if (ec) throw Error("kan de map met regelingen " + dir.string() + " niet lezen: " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<RuleSet> sets;
  for (const auto& file : files) {
    const std::string bytes = detail::read_small_file(file);
    pugi::xml_document doc;
    const auto parsed = doc.load_buffer(bytes.data(), bytes.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!parsed) throw Error(file.string() + ": regelingsbestand is geen XML: " + parsed.description());
    RuleSet set = RuleSetReader(file, bytes).read(doc.document_element());
    if (find_rule_set(sets, set.naam) != nullptr) {
      throw Error(file.string() + ": regeling \"" + set.naam + "\" staat al in een ander bestand");
    }
    sets.push_back(std::move(set));
  }
  if (sets.empty()) throw Error("geen regelingen gevonden in " + dir.string());
  return sets;
}

const RuleSet* find_rule_set(const std::vector<RuleSet>& sets, std::string_view regeling_naam) {
  const std::string wanted = detail::lower_ascii(detail::collapse(regeling_naam));
  for (const auto& set : sets) {
    if (detail::lower_ascii(set.naam) == wanted) return &set;
  }
  return nullptr;
}

}  // namespace sto
