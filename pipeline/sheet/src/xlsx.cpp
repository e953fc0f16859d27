// read_xlsx: an Office Open XML workbook (ECMA-376 Part 1, SpreadsheetML) as Excel, LibreOffice
// Calc and Google Sheets save it: the workbook part names the sheets in order, its relationships
// lead to each sheet's part, the shared strings and the styles (which say which numbers are dates).
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <pugixml.hpp>

#include "reading.h"
#include "sto/utf8.h"
#include "workbook.h"
#include "zip.h"

namespace sto::detail {
namespace {

// Names compared without their prefix: Excel writes SpreadsheetML in the default namespace,
// other producers (the .NET Open XML SDK) as "x:row", and Strict OOXML binds the same names to
// other namespaces. Within these parts the local names are unambiguous.
std::string_view local_name(const char* name) {
  const std::string_view qualified(name);
  const auto colon = qualified.rfind(':');
  return colon == std::string_view::npos ? qualified : qualified.substr(colon + 1);
}

pugi::xml_node child(pugi::xml_node parent, std::string_view name) {
  for (pugi::xml_node node : parent.children()) {
    if (node.type() == pugi::node_element && local_name(node.name()) == name) return node;
  }
  return {};
}

std::string_view attribute(pugi::xml_node node, std::string_view name) {
  for (pugi::xml_attribute a : node.attributes()) {
    if (local_name(a.name()) == name) return a.value();
  }
  return {};
}

template <typename Visit>
void for_each_child(pugi::xml_node parent, std::string_view name, Visit visit) {
  for (pugi::xml_node node : parent.children()) {
    if (node.type() == pugi::node_element && local_name(node.name()) == name) visit(node);
  }
}

template <typename Integer>
std::optional<Integer> parse_integer(std::string_view text) {
  Integer value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The character data of a node (several pieces when CDATA sections split it).
std::string text_of(pugi::xml_node node) {
  std::string text;
  for (pugi::xml_node piece : node.children()) {
    if (piece.type() == pugi::node_pcdata || piece.type() == pugi::node_cdata) text += piece.value();
  }
  return text;
}

// ST_Xstring (ECMA-376 Part 1 §22.9.2.19): a character XML cannot carry is written "_xHHHH_"
// ("_x000D_" for a carriage return), and a literal "_x" as "_x005F_x".
std::string decode_escapes(std::string_view text) {
  if (text.find("_x") == std::string_view::npos) return std::string(text);
  const auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); };
  std::string decoded;
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, 2, "_x") == 0 && text.size() - i >= 7 && hex(text[i + 2]) && hex(text[i + 3]) &&
        hex(text[i + 4]) && hex(text[i + 5]) && text[i + 6] == '_') {
      unsigned code = 0;
      std::from_chars(text.data() + i + 2, text.data() + i + 6, code, 16);
      decoded += encode_utf8(static_cast<char32_t>(code));
      i += 7;
    } else {
      decoded += text[i++];
    }
  }
  return decoded;
}

// A string item (<si>, <is>): plain (<t>) or rich text runs (<r><t>), the runs' text joined;
// phonetic guides (<rPh>) are not part of the text.
std::string string_item(pugi::xml_node item) {
  std::string text;
  for (pugi::xml_node node : item.children()) {
    if (node.type() != pugi::node_element) continue;
    const std::string_view name = local_name(node.name());
    if (name == "t") text += text_of(node);
    if (name == "r") for_each_child(node, "t", [&](pugi::xml_node t) { text += text_of(t); });
  }
  return decode_escapes(text);
}

// A cell reference "I57": column (0-based) and row (1-based), within Excel's grid.
struct Reference {
  std::int64_t column = 0;
  std::int64_t row = 0;
};
std::optional<Reference> parse_reference(std::string_view text) {
  Reference reference;
  std::size_t at = 0;
  std::int64_t letters = 0;
  for (; at < text.size() && at < 3; ++at) {
    const char c = text[at];
    if (c >= 'A' && c <= 'Z') {
      letters = letters * 26 + (c - 'A' + 1);
    } else if (c >= 'a' && c <= 'z') {
      letters = letters * 26 + (c - 'a' + 1);
    } else {
      break;
    }
  }
  if (at == 0 || letters > 16'384) return std::nullopt;
  reference.column = letters - 1;
  const auto row = parse_integer<std::int64_t>(text.substr(at));
  if (!row || *row < 1 || *row > kMaxRowNumber || text[at] == '0') return std::nullopt;
  reference.row = *row;
  return reference;
}

// Part names are resolved against the folder of the part that names them (OPC, ECMA-376 Part 2
// §9.3): "worksheets/sheet1.xml" from "xl/workbook.xml" is "xl/worksheets/sheet1.xml", and
// "/xl/styles.xml" is absolute.
std::string resolve(std::string_view folder, std::string_view target) {
  std::string path =
      target.starts_with('/') ? std::string(target.substr(1)) : std::string(folder) + std::string(target);
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string resolved;
  for (const auto& segment : segments) resolved += (resolved.empty() ? "" : "/") + segment;
  return resolved;
}

struct Relationship {
  std::string type;    // its last segment: "worksheet", "sharedStrings", "styles", ...
  std::string target;  // the part's name in the zip
};
using Relationships = std::map<std::string, Relationship, std::less<>>;  // by Id

// The relationships of `part` ("xl/workbook.xml" → "xl/_rels/workbook.xml.rels").
Relationships relationships_of(ZipPackage& zip, const std::string& part) {
  const auto slash = part.rfind('/');
  const std::string folder = slash == std::string::npos ? "" : part.substr(0, slash + 1);
  const auto document = zip.read_xml(folder + "_rels/" + part.substr(folder.size()) + ".rels");
  Relationships relationships;
  if (!document) return relationships;
  for_each_child(document->document_element(), "Relationship", [&](pugi::xml_node r) {
    if (attribute(r, "TargetMode") == "External") return;
    const std::string_view type = attribute(r, "Type");
    relationships[std::string(attribute(r, "Id"))] =
        Relationship{std::string(type.substr(type.rfind('/') + 1)), resolve(folder, attribute(r, "Target"))};
  });
  return relationships;
}

std::string target_of_type(const Relationships& relationships, std::string_view type) {
  for (const auto& [id, relationship] : relationships) {
    if (relationship.type == type) return relationship.target;
  }
  return {};
}

// Whether a number format code shows a date or time: a d, m, y, h or s outside quoted text,
// brackets ([Red], [$-413]), escaped characters (\-) and padding (_) or fill (*) characters.
bool is_date_code(std::string_view code) {
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == '"') {
      i = code.find('"', i + 1);
      if (i == std::string_view::npos) return false;
    } else if (c == '[') {
      i = code.find(']', i + 1);
      if (i == std::string_view::npos) return false;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;
    } else if (std::string_view("dmyhsDMYHS").find(c) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

// For each cell format (<cellXfs><xf>, indexed by a cell's s attribute): whether it shows a date.
// Built-in formats 14-22 and 45-47 are dates and times (ECMA-376 Part 1 §18.8.30).
std::vector<bool> date_formats(ZipPackage& zip, const std::string& part) {
  std::vector<bool> dates;
  const auto document = part.empty() ? nullptr : zip.read_xml(part);
  if (!document) return dates;
  const pugi::xml_node styles = document->document_element();
  std::map<unsigned, bool> custom;
  for_each_child(child(styles, "numFmts"), "numFmt", [&](pugi::xml_node format) {
    const auto id = parse_integer<unsigned>(attribute(format, "numFmtId"));
    if (id) custom[*id] = is_date_code(attribute(format, "formatCode"));
  });
  for_each_child(child(styles, "cellXfs"), "xf", [&](pugi::xml_node xf) {
    const unsigned id = parse_integer<unsigned>(attribute(xf, "numFmtId")).value_or(0);
    const auto found = custom.find(id);
    dates.push_back(found != custom.end() ? found->second : (id >= 14 && id <= 22) || (id >= 45 && id <= 47));
  });
  return dates;
}

// What every sheet of the workbook is read with.
struct Context {
  ZipPackage& zip;
  WorkbookBuilder& book;
  std::vector<std::string> shared;  // the shared strings, by index
  std::vector<bool> dates;          // by cell format index
  bool date1904 = false;
};

class SheetReader {
 public:
  explicit SheetReader(Context& context) : c_(context) {}

  void read(pugi::xml_node worksheet) {
    for_each_child(child(worksheet, "sheetData"), "row", [&](pugi::xml_node row) {
      const std::string_view r = attribute(row, "r");
      // A row without r follows the previous one (ECMA-376 Part 1 §18.3.1.73).
      const auto number = r.empty() ? std::optional<std::int64_t>(row_number_ + 1) : parse_integer<std::int64_t>(r);
      if (!number || *number < 1 || *number > kMaxRowNumber) invalid("ongeldig rijnummer " + cited(r));
      row_number_ = *number;
      c_.book.begin_row(row_number_);
      read_row(row);
      c_.book.end_row();
    });
    clear_merged(worksheet);
  }

 private:
  void read_row(pugi::xml_node row) {
    std::int64_t column = -1;
    for_each_child(row, "c", [&](pugi::xml_node cell) {
      const std::string_view r = attribute(cell, "r");
      if (r.empty()) {
        ++column;  // a cell without r follows the previous one
      } else {
        const auto reference = parse_reference(r);
        if (!reference) invalid("ongeldige celverwijzing " + cited(r));
        column = reference->column;
      }
      c_.book.put(column, read_cell(cell, column));
    });
  }

  Cell read_cell(pugi::xml_node cell, std::int64_t column) {
    const std::string_view type = attribute(cell, "t");
    const pugi::xml_node v = child(cell, "v");
    const std::string value = text_of(v);
    Cell result;
    if (type == "inlineStr") {
      result.text = string_item(child(cell, "is"));
      result.kind = Cell::Kind::text;
    } else if (!v) {
      // no value: an empty (perhaps formatted) cell
    } else if (type == "s") {
      const auto index = parse_integer<std::size_t>(value);
      if (!index || *index >= c_.shared.size()) {
        invalid_at(column, "verwijst naar gedeelde tekst " + cited(value) + ", die niet bestaat");
      }
      result.text = c_.shared[*index];
      result.kind = Cell::Kind::text;
    } else if (type == "str") {
      result.text = decode_escapes(value);
      result.kind = Cell::Kind::text;
    } else if (type == "b") {
      if (value != "0" && value != "1") invalid_at(column, "heeft een ongeldige waarheidswaarde " + cited(value));
      result.text = value == "1" ? "TRUE" : "FALSE";
      result.kind = Cell::Kind::boolean;
    } else if (type == "e") {
      result.text = value;
      result.kind = value.empty() ? Cell::Kind::empty : Cell::Kind::error;
    } else if (type == "d") {
      const auto date = iso_date_text(value);
      if (!date) invalid_at(column, "heeft een ongeldige datum " + cited(value));
      result.text = *date;
      result.kind = Cell::Kind::date;
    } else if (type.empty() || type == "n") {
      read_number(cell, value, column, result);
    } else {
      invalid_at(column, "heeft een onbekend celtype " + cited(type));
    }
    return result;
  }

  void read_number(pugi::xml_node cell, const std::string& value, std::int64_t column, Cell& result) {
    if (value.find_first_not_of(" \t\r\n") == std::string::npos) return;
    const auto number = parse_number(value);
    if (!number) invalid_at(column, "heeft een ongeldig getal " + cited(value));
    result.number = *number;
    const auto format = parse_integer<std::size_t>(attribute(cell, "s"));
    const bool date = format && *format < c_.dates.size() && c_.dates[*format];
    const auto shown = date ? serial_date_text(*number, c_.date1904) : std::nullopt;
    result.kind = shown ? Cell::Kind::date : Cell::Kind::number;
    result.text = shown ? *shown : number_text(*number);
  }

  // A merged range shows its first cell only; the cells it covers may still hold values (Calc
  // keeps them when asked to), which the person never sees: they read as empty.
  void clear_merged(pugi::xml_node worksheet) {
    auto& rows = c_.book.sheet().rows;
    // Each merged range visits the listed rows it spans; overlapping ranges could make that
    // quadratic, so the visits are capped at one per cell a sheet can have.
    std::int64_t visits = 0;
    for_each_child(child(worksheet, "mergeCells"), "mergeCell", [&](pugi::xml_node merge) {
      const std::string_view ref = attribute(merge, "ref");
      const auto colon = ref.find(':');
      const auto first = parse_reference(ref.substr(0, colon));
      const auto last = colon == std::string_view::npos ? first : parse_reference(ref.substr(colon + 1));
      if (!first || !last) invalid("ongeldig samengevoegd bereik " + cited(ref));
      auto row = std::lower_bound(rows.begin(), rows.end(), first->row,
                                  [](const SheetRow& r, std::int64_t number) { return r.number < number; });
      for (; row != rows.end() && row->number <= last->row; ++row) {
        if (++visits > std::int64_t{kMaxSheetRows} * kMaxSheetColumns) invalid("te veel samengevoegde cellen");
        const std::int64_t end = std::min<std::int64_t>(last->column + 1, static_cast<std::int64_t>(row->cells.size()));
        for (std::int64_t column = first->column; column < end; ++column) {
          if (row->number != first->row || column != first->column) {
            row->cells[static_cast<std::size_t>(column)] = Cell{};
          }
        }
      }
    });
    if (visits == 0) return;
    std::erase_if(rows, [](SheetRow& row) {
      while (!row.cells.empty() && row.cells.back().kind == Cell::Kind::empty) row.cells.pop_back();
      return row.cells.empty();
    });
  }

  [[noreturn]] void invalid(const std::string& why) const {
    c_.zip.invalid("blad " + c_.book.sheet().name + ": " + why);
  }
  [[noreturn]] void invalid_at(std::int64_t column, const std::string& why) const {
    invalid("cel " + c_.book.cell_at(column) + " " + why);
  }

  Context& c_;
  std::int64_t row_number_ = 0;
};

}  // namespace

Workbook read_xlsx(std::string_view bytes) {
  ZipPackage zip(bytes, ".xlsx");
  // The workbook part is the package's officeDocument (ECMA-376 Part 1 §8.4); every producer
  // we know names it xl/workbook.xml.
  std::string workbook_part = target_of_type(relationships_of(zip, ""), "officeDocument");
  if (workbook_part.empty()) workbook_part = "xl/workbook.xml";
  const auto workbook = zip.read_xml(workbook_part);
  if (!workbook) {
    if (zip.has("content.xml") && zip.has("mimetype")) {
      refuse("dit is een OpenDocument-bestand (.ods) met de extensie .xlsx: geef het de extensie .ods");
    }
    zip.invalid(workbook_part + " ontbreekt");
  }
  const pugi::xml_node root = workbook->document_element();
  if (local_name(root.name()) != "workbook") zip.invalid(workbook_part + " is geen werkmap");
  const Relationships relationships = relationships_of(zip, workbook_part);

  WorkbookBuilder book(SheetFormat::xlsx);
  Context context{zip, book, {}, date_formats(zip, target_of_type(relationships, "styles")), false};
  const std::string_view date1904 = attribute(child(root, "workbookPr"), "date1904");
  context.date1904 = date1904 == "1" || date1904 == "true";
  if (const std::string shared = target_of_type(relationships, "sharedStrings"); !shared.empty()) {
    // A lone space is a string: pugixml keeps white-space-only text when it is an element's only child.
    if (const auto document = zip.read_xml(shared, pugi::parse_default | pugi::parse_ws_pcdata_single)) {
      for_each_child(document->document_element(), "si",
                     [&](pugi::xml_node si) { context.shared.push_back(string_item(si)); });
    }
  }
  for_each_child(child(root, "sheets"), "sheet", [&](pugi::xml_node sheet) {
    book.begin_sheet(std::string(attribute(sheet, "name")));
    const auto found = relationships.find(attribute(sheet, "id"));
    if (found == relationships.end()) zip.invalid("blad " + book.sheet().name + " heeft geen onderdeel");
    if (found->second.type != "worksheet") return;  // a chart sheet has no cells
    const auto part = zip.read_xml(found->second.target, pugi::parse_default | pugi::parse_ws_pcdata_single);
    if (!part) zip.invalid(found->second.target + " ontbreekt");
    SheetReader(context).read(part->document_element());
  });
  return std::move(book).finish();
}

}  // namespace sto::detail
