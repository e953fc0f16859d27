#include "html_contract.h"

#include <type_traits>

#include "sto/html.h"

namespace sto::bench {

namespace {

void cells(std::string& out, const std::vector<std::string>& row, const std::vector<Column>& columns, const char* tag) {
  out += "<tr>";
  for (std::size_t i = 0; i < row.size(); ++i) {
    const bool right = i < columns.size() && columns[i].align == Align::right;
    out += std::string("<") + tag + (right ? " align=\"right\">" : ">") + html_escape(row[i]) + "</" + tag + ">";
  }
  out += "</tr>\n";
}

void block(std::string& out, const Block& b, const DocumentInfo& info) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, Heading>) {
          const char* tag = x.level == 1 ? "h2" : "h3";
          out += std::string("<") + tag + ">" + html_escape(x.number.empty() ? x.text : x.number + " " + x.text) +
                 "</" + tag + ">\n";
        } else if constexpr (std::is_same_v<T, Paragraph>) {
          const char* open = x.style == ParagraphStyle::bold    ? "<p><b>"
                             : x.style == ParagraphStyle::small ? "<p><small>"
                                                                : "<p>";
          const char* close = x.style == ParagraphStyle::bold    ? "</b></p>\n"
                              : x.style == ParagraphStyle::small ? "</small></p>\n"
                                                                 : "</p>\n";
          out += open + html_escape(x.text) + close;
        } else if constexpr (std::is_same_v<T, ItemList>) {
          out += x.numbered ? "<ol>\n" : "<ul>\n";
          for (const auto& item : x.items) out += "<li>" + html_escape(item) + "</li>\n";
          out += x.numbered ? "</ol>\n" : "</ul>\n";
        } else if constexpr (std::is_same_v<T, Fields>) {
          out += "<table class=\"gegevens\">\n";
          for (const auto& [label, value] : x.rows)
            out += "<tr><td>" + html_escape(label) + "</td><td>" + html_escape(value) + "</td></tr>\n";
          out += "</table>\n";
        } else if constexpr (std::is_same_v<T, Table>) {
          out += "<table class=\"bijdrage\" border=\"1\" cellspacing=\"0\" cellpadding=\"3\">\n<colgroup>";
          double total = 0;
          for (const auto& c : x.columns) total += c.width;
          for (const auto& c : x.columns)
            out += "<col width=\"" + std::to_string(static_cast<int>(c.width * 100 / total)) + "%\">";
          out += "</colgroup>\n<thead>";
          std::vector<std::string> headers;
          for (const auto& c : x.columns) headers.push_back(c.header);
          cells(out, headers, x.columns, "th");
          out += "</thead>\n";
          if (!x.footer.empty()) {
            out += "<tfoot>";
            cells(out, x.footer, x.columns, "th");
            out += "</tfoot>\n";
          }
          out += "<tbody>\n";
          for (const auto& r : x.rows) cells(out, r, x.columns, "td");
          out += "</tbody></table>\n";
        } else if constexpr (std::is_same_v<T, SignatureBlock>) {
          out += "<div class=\"blok\"><h3>" + html_escape(x.title) + ": " + html_escape(x.partner) + "</h3>\n";
          for (const auto& s : x.signatories) {
            out += "<table class=\"teken\"><tr><td>" + html_escape(info.label_naam) + ": " + html_escape(s.naam) +
                   "<br>" + html_escape(info.label_functie) + ": " + html_escape(s.functie) + "<br>" +
                   html_escape(info.label_hoedanigheid) + ": " + html_escape(s.hoedanigheid);
            if (!s.machtiging.empty())
              out += "<br>" + html_escape(info.label_machtiging) + ": " + html_escape(s.machtiging);
            out += "<br>" + html_escape(info.label_datum) + ": ____________________</td><td class=\"veld\">" +
                   html_escape(info.label_handtekening) + "</td></tr></table>\n";
          }
          out += "</div>\n";
        } else if constexpr (std::is_same_v<T, PageBreak>) {
          out += "<p style=\"page-break-before: always\"></p>\n";
        }
      },
      b);
}

}  // namespace

std::string html_contract(const Document& document) {
  std::string out = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html_escape(document.info.title) +
                    "</title>\n<style>\n"
                    "@page { size: 210mm 297mm; margin: 26.1mm 21.9mm 27.5mm 21.9mm; }\n"  // top 74 pt, bottom 78 pt
                    "body { font-family: 'Liberation Sans'; font-size: 10pt; }\n"
                    "h1 { font-size: 22pt; } h2 { font-size: 13pt; } h3 { font-size: 10.5pt; }\n"
                    "table.bijdrage { width: 100%; font-size: 8.5pt; border-collapse: collapse; }\n"
                    "table.teken { width: 100%; page-break-inside: avoid; }\n"
                    "td.veld { width: 200pt; height: 58pt; border: 1px solid #888; vertical-align: bottom; }\n"
                    "div.blok { page-break-inside: avoid; }\n"
                    "</style></head><body>\n<h1>" +
                    html_escape(document.title) + "</h1>\n<p><b>" + html_escape(document.subtitle) + "</b></p>\n";
  for (const auto& b : document.blocks) block(out, b, document.info);
  out += "</body></html>\n";
  return out;
}

}  // namespace sto::bench
