// read_ods: an OpenDocument spreadsheet (ODF 1.2/1.3, part 3 for the package, part 1 for
// content.xml) as LibreOffice Calc and Google Sheets save it.
//
// Elements are matched by their qualified names with the prefixes the ODF specification uses
// (table:, text:, office:); every producer we know declares exactly those.
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <pugixml.hpp>

#include "reading.h"
#include "workbook.h"
#include "zip.h"

namespace sto::detail {
namespace {

// Row groups nest (table:table-row-group in a group ...); so do spans in a paragraph. Deeper
// than any sheet needs, shallow enough that recursion cannot exhaust the stack.
constexpr int kMaxDepth = 32;

bool is(pugi::xml_node node, const char* name) { return std::string_view(node.name()) == name; }

class TableReader {
 public:
  TableReader(ZipPackage& zip, WorkbookBuilder& book) : zip_(zip), book_(book) {}

  void read(pugi::xml_node table) {
    book_.begin_sheet(table.attribute("table:name").value());
    row_number_ = 1;
    read_rows(table, 0);
  }

 private:
  // The rows of a table or of a row container (header rows, row groups), in order.
  void read_rows(pugi::xml_node container, int depth) {
    if (depth > kMaxDepth) invalid("te diep geneste rijgroepen");
    for (pugi::xml_node node : container.children()) {
      if (is(node, "table:table-row")) {
        read_row(node);
      } else if (is(node, "table:table-header-rows") || is(node, "table:table-rows") ||
                 is(node, "table:table-row-group")) {
        read_rows(node, depth + 1);
      }
    }
  }

  // A repeated row or cell stands for `repeat` equal ones. LibreOffice ends a sheet with an
  // empty row repeated up to row 1048576 and rows with empty cells repeated to column 1024 or
  // 16384: those only move the counters; a repeated row or cell with content is listed as often
  // as it is repeated, within the limits (WorkbookBuilder).
  void read_row(pugi::xml_node row) {
    const std::int64_t repeat = repeat_of(row, "table:number-rows-repeated");
    book_.begin_row(row_number_);
    std::int64_t column = 0;
    for (pugi::xml_node node : row.children()) {
      const bool covered = is(node, "table:covered-table-cell");
      if (!covered && !is(node, "table:table-cell")) continue;
      const std::int64_t columns = repeat_of(node, "table:number-columns-repeated");
      // A cell covered by a merged one is empty, whatever it holds: it is not shown.
      if (!covered) book_.put(column, read_cell(node, column), columns);
      column += columns;
    }
    book_.end_row(repeat);
    row_number_ += repeat;
  }

  std::int64_t repeat_of(pugi::xml_node node, const char* name) {
    const pugi::xml_attribute attribute = node.attribute(name);
    if (!attribute) return 1;
    const std::string_view text = attribute.value();
    std::int64_t repeat = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), repeat);
    // Far above any sheet's size, low enough that no counter can overflow.
    if (error != std::errc{} || end != text.data() + text.size() || repeat < 1 || repeat > (std::int64_t{1} << 31)) {
      invalid(std::string(name) + " " + cited(text));
    }
    return repeat;
  }

  Cell read_cell(pugi::xml_node node, std::int64_t column) {
    const std::string_view type = node.attribute("office:value-type").value();
    Cell cell;
    if (std::string_view(node.attribute("calcext:value-type").value()) == "error") {
      // LibreOffice stores a formula error as an empty string value and shows it as "#DIV/0!".
      cell.text = shown_text(node, column);
      cell.kind = Cell::Kind::error;
    } else if (type == "float" || type == "percentage" || type == "currency") {
      const auto number = parse_number(node.attribute("office:value").value());
      if (!number) invalid_at(column, "heeft een ongeldig getal");
      cell.number = *number;
      cell.text = number_text(*number);
      cell.kind = Cell::Kind::number;
    } else if (type == "date") {
      const auto date = iso_date_text(node.attribute("office:date-value").value());
      if (!date) invalid_at(column, "heeft een ongeldige datum " + cited(node.attribute("office:date-value").value()));
      cell.text = *date;
      cell.kind = Cell::Kind::date;
    } else if (type == "boolean") {
      const std::string_view value = node.attribute("office:boolean-value").value();
      if (value != "true" && value != "false") {
        invalid_at(column, "heeft een ongeldige waarheidswaarde " + cited(value));
      }
      cell.text = value == "true" ? "TRUE" : "FALSE";
      cell.kind = Cell::Kind::boolean;
    } else {
      // A string (a formula's result may carry it in office:string-value); a time or a cell
      // without a type reads as the text it shows.
      const pugi::xml_attribute value = node.attribute("office:string-value");
      cell.text = type == "string" && value ? std::string(value.value()) : shown_text(node, column);
      cell.kind = Cell::Kind::text;
    }
    return cell;
  }

  // The text a cell shows: its paragraphs (text:p, text:h) joined with "\n"; annotations and
  // drawings in the cell are not part of it.
  std::string shown_text(pugi::xml_node cell, std::int64_t column) {
    std::string text;
    bool first = true;
    for (pugi::xml_node node : cell.children()) {
      if (!is(node, "text:p") && !is(node, "text:h")) continue;
      if (!first) text += '\n';
      first = false;
      bool collapsed = true;  // at the paragraph's start, white space is dropped
      paragraph(node, text, collapsed, column, 0);
    }
    return text;
  }

  // ODF 1.2 part 1 §6.1.2: in character data a run of white space (space, tab, CR, LF) is one
  // space, and none at the start of a paragraph; text:s, text:tab and text:line-break stand for
  // the spaces, tab and line break themselves.
  void paragraph(pugi::xml_node parent, std::string& text, bool& collapsed, std::int64_t column, int depth) {
    if (depth > kMaxDepth) invalid_at(column, "heeft te diep geneste tekst");
    for (pugi::xml_node node : parent.children()) {
      if (node.type() == pugi::node_pcdata || node.type() == pugi::node_cdata) {
        for (const char c : std::string_view(node.value())) {
          const bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
          if (space && collapsed) continue;
          text += space ? ' ' : c;
          collapsed = space;
        }
      } else if (is(node, "text:s")) {
        const pugi::xml_attribute count = node.attribute("text:c");
        const std::uint64_t spaces = count ? count.as_ullong() : 1;
        if (spaces > kMaxCellBytes) book_.too_long(column);
        text.append(static_cast<std::size_t>(spaces), ' ');
        collapsed = false;
      } else if (is(node, "text:tab")) {
        text += '\t';
        collapsed = false;
      } else if (is(node, "text:line-break")) {
        text += '\n';
        collapsed = false;
      } else if (node.type() == pugi::node_element && !is(node, "office:annotation") &&
                 !std::string_view(node.name()).starts_with("draw:")) {
        paragraph(node, text, collapsed, column, depth + 1);  // text:span, text:a, ...
      }
      if (text.size() > kMaxCellBytes) book_.too_long(column);
    }
  }

  [[noreturn]] void invalid(const std::string& why) const { zip_.invalid("blad " + book_.sheet().name + ": " + why); }
  [[noreturn]] void invalid_at(std::int64_t column, const std::string& why) const {
    invalid("cel " + book_.cell_at(column) + " " + why);
  }

  ZipPackage& zip_;
  WorkbookBuilder& book_;
  std::int64_t row_number_ = 1;
};

constexpr std::string_view kSpreadsheet = "application/vnd.oasis.opendocument.spreadsheet";

// What the package is: an ODF spreadsheet (or its template), not another ODF document, not an
// .xlsx under the wrong name, and not encrypted.
void check_package(ZipPackage& zip) {
  if (const auto mimetype = zip.read("mimetype");
      mimetype && *mimetype != kSpreadsheet && *mimetype != std::string(kSpreadsheet) + "-template") {
    zip.invalid("het is geen rekenblad maar " + cited(*mimetype));
  }
  if (!zip.has("content.xml") && zip.has("xl/workbook.xml")) {
    refuse("dit is een Excel-bestand (.xlsx) met de extensie .ods: geef het de extensie .xlsx");
  }
  // A password-protected package lists how each part is encrypted (ODF 1.2 part 3 §4.8); the
  // parts themselves are then unreadable bytes.
  if (const auto manifest = zip.read_xml("META-INF/manifest.xml")) {
    for (pugi::xml_node entry : manifest->document_element().children("manifest:file-entry")) {
      if (entry.child("manifest:encryption-data")) refuse(std::string(kPasswordProtected));
    }
  }
}

}  // namespace

Workbook read_ods(std::string_view bytes) {
  ZipPackage zip(bytes, ".ods");
  check_package(zip);
  // White space between a paragraph's spans is text ("<text:span>a</text:span> <text:span>b"):
  // pugixml keeps it only with parse_ws_pcdata.
  const auto content = zip.read_xml("content.xml", pugi::parse_default | pugi::parse_ws_pcdata);
  if (!content) zip.invalid("content.xml ontbreekt");
  const pugi::xml_node spreadsheet =
      content->child("office:document-content").child("office:body").child("office:spreadsheet");
  if (!spreadsheet) zip.invalid("content.xml heeft geen rekenblad");
  WorkbookBuilder book(SheetFormat::ods);
  TableReader reader(zip, book);
  for (pugi::xml_node table : spreadsheet.children("table:table")) reader.read(table);
  return std::move(book).finish();
}

}  // namespace sto::detail
