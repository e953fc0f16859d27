// The readable difference between two versions of a contract's text: by article, and within an
// article by partner block, never by line (a re-wrapped paragraph is no change to a reader).
#include <algorithm>
#include <map>
#include <variant>

#include "sto/template.h"

namespace sto {

namespace {

// A part of the text with a name a reader recognises, and all it says.
struct Part {
  std::string name;
  std::string text;
};

// An article: its heading (without its number, which moves when articles are added), its text,
// and its partner blocks.
struct Article {
  std::string name;
  std::string text;
  std::vector<Part> parts;
};

std::string text_of(const Block& block) {
  return std::visit(
      [](const auto& b) -> std::string {
        using T = std::decay_t<decltype(b)>;
        std::string out;
        if constexpr (std::is_same_v<T, Heading>) {
          out = b.text;
        } else if constexpr (std::is_same_v<T, Paragraph>) {
          out = b.text;
        } else if constexpr (std::is_same_v<T, ItemList>) {
          for (const auto& item : b.items) out += item + "\n";
        } else if constexpr (std::is_same_v<T, Fields>) {
          for (const auto& [label, value] : b.rows) out += label + ": " + value + "\n";
        } else if constexpr (std::is_same_v<T, Table>) {
          for (const auto& row : b.rows) {
            for (const auto& cell : row) out += cell + " | ";
            out += "\n";
          }
          for (const auto& cell : b.footer) out += cell + " | ";
        } else if constexpr (std::is_same_v<T, SignatureBlock>) {
          out = b.title + ": " + b.partner + "\n";
          for (const auto& s : b.signatories) out += s.naam + ", " + s.functie + ", " + s.hoedanigheid + "\n";
        }
        return out;
      },
      block);
}

std::vector<Article> articles(const Document& d) {
  std::vector<Article> out{{"aanhef", d.title + "\n" + d.subtitle + "\n", {}}};
  for (const Block& block : d.blocks) {
    const auto* heading = std::get_if<Heading>(&block);
    if (heading != nullptr && heading->level == 1) {
      out.push_back({heading->text, {}, {}});
      continue;
    }
    Article& a = out.back();
    const std::string text = text_of(block);
    a.text += text + "\n";
    if (heading != nullptr) {
      a.parts.push_back({heading->text, {}});
    } else if (const auto* table = std::get_if<Table>(&block)) {
      for (const auto& row : table->rows) {
        std::string joined;
        for (const auto& cell : row) joined += cell + " | ";
        if (!row.empty()) a.parts.push_back({row.front(), joined});
      }
    } else if (const auto* signature = std::get_if<SignatureBlock>(&block)) {
      a.parts.push_back({signature->partner, text});
    } else if (!a.parts.empty() && std::get_if<PageBreak>(&block) == nullptr) {
      a.parts.back().text += text + "\n";  // the block belongs to the partner heading above it
    }
  }
  return out;
}

std::string quoted(const std::string& name) { return "\u201C" + name + "\u201D"; }

void compare(const Article& before, const Article& after, std::vector<std::string>& out) {
  std::map<std::string, const Part*> old;
  for (const Part& p : before.parts) old.emplace(p.name, &p);
  std::map<std::string, bool> seen;
  std::size_t found = 0;
  const std::string where = "Artikel " + quoted(after.name) + ": ";
  for (const Part& p : after.parts) {
    if (seen[p.name]) continue;  // the same partner in two blocks of one article: judged once
    seen[p.name] = true;
    const auto it = old.find(p.name);
    if (it == old.end()) {
      out.push_back(where + quoted(p.name) + " is nieuw");
      ++found;
    } else if (it->second->text != p.text) {
      out.push_back(where + quoted(p.name) + " is gewijzigd");
      ++found;
    }
  }
  for (const Part& p : before.parts) {
    if (!seen.contains(p.name)) {
      seen[p.name] = true;
      out.push_back(where + quoted(p.name) + " is vervallen");
      ++found;
    }
  }
  // A change outside the partner blocks (or in an article without them) is the article's.
  std::string rest_before = before.text;
  std::string rest_after = after.text;
  for (const Part& p : before.parts) {
    if (const auto at = rest_before.find(p.text); !p.text.empty() && at != std::string::npos)
      rest_before.erase(at, p.text.size());
  }
  for (const Part& p : after.parts) {
    if (const auto at = rest_after.find(p.text); !p.text.empty() && at != std::string::npos)
      rest_after.erase(at, p.text.size());
  }
  if (found == 0 || rest_before != rest_after) out.push_back("Artikel " + quoted(after.name) + " is gewijzigd");
}

}  // namespace

std::vector<std::string> differences(const Document& before, const Document& after, std::size_t limit) {
  const std::vector<Article> old = articles(before);
  const std::vector<Article> now = articles(after);
  std::vector<std::string> out;
  std::map<std::string, bool> matched;
  for (const Article& a : now) {
    const auto it = std::find_if(old.begin(), old.end(), [&](const Article& o) { return o.name == a.name; });
    if (it == old.end()) {
      out.push_back("Nieuw artikel " + quoted(a.name));
    } else if (it->text != a.text) {
      compare(*it, a, out);
    }
    matched[a.name] = true;
  }
  for (const Article& a : old) {
    if (!matched.contains(a.name)) out.push_back("Artikel " + quoted(a.name) + " is vervallen");
  }
  if (out.size() > limit && limit > 0) {
    const std::size_t more = out.size() - (limit - 1);
    out.resize(limit - 1);
    out.push_back("en nog " + std::to_string(more) + " wijzigingen");
  }
  return out;
}

}  // namespace sto
