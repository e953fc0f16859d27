// Writing a sheet as an OpenDocument spreadsheet (.ods, ODF 1.2), by hand: content.xml with the
// two tables, column widths, text-formatted code columns and drop-down lists; a minimal
// styles.xml; settings.xml freezing the header row; the manifest. Zipped with Poco::Zip,
// "mimetype" first and stored (ODF 1.2 part 3 §3.3), so that a reader recognises the file by its
// first bytes.
#include <Poco/DateTime.h>
#include <Poco/Exception.h>
#include <Poco/Path.h>
#include <Poco/Zip/Compress.h>
#include <Poco/Zip/ZipCommon.h>

#include <algorithm>
#include <charconv>
#include <pugixml.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "workbook.h"

namespace sto::detail {

namespace {

constexpr std::string_view kMimeType = "application/vnd.oasis.opendocument.spreadsheet";

// Headers and the Toelichting are text whatever they look like.
const ColumnSpec kTextColumn = [] {
  ColumnSpec spec;
  spec.code = true;
  return spec;
}();

constexpr const char* kOffice = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";
constexpr const char* kStyle = "urn:oasis:names:tc:opendocument:xmlns:style:1.0";
constexpr const char* kText = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
constexpr const char* kTable = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";
constexpr const char* kFo = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0";
constexpr const char* kNumber = "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0";
constexpr const char* kOf = "urn:oasis:names:tc:opendocument:xmlns:of:1.2";

pugi::xml_node document_root(pugi::xml_document& doc, const char* name) {
  pugi::xml_node declaration = doc.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  pugi::xml_node root = doc.append_child(name);
  root.append_attribute("xmlns:office") = kOffice;
  root.append_attribute("xmlns:style") = kStyle;
  root.append_attribute("xmlns:text") = kText;
  root.append_attribute("xmlns:table") = kTable;
  root.append_attribute("xmlns:fo") = kFo;
  root.append_attribute("xmlns:number") = kNumber;
  root.append_attribute("xmlns:of") = kOf;
  root.append_attribute("office:version") = "1.2";
  return root;
}

// Raw, not indented: indentation inside <text:p> would be text.
std::string serialized(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw);
  return out.str();
}

// A width in characters as Excel counts them (7 pixels each and 5 of padding, at 96 dpi), so that
// a column is as wide in the .ods as in the .xlsx. The classic "C" form: never a decimal comma.
std::string centimetres(double characters) {
  char buffer[32];
  const double cm = (characters * 7 + 5) / 96 * 2.54;
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, cm, std::chars_format::fixed, 3).ptr;
  return std::string(buffer, end) + "cm";
}

void flush_run(pugi::xml_node paragraph, std::string& run) {
  if (!run.empty()) paragraph.append_child(pugi::node_pcdata).set_value(run.c_str());
  run.clear();
}

// ODF collapses white space in text (ODF 1.2 part 1 §6.1.2): a space is written as itself only
// alone between two other characters, every other run of spaces as <text:s text:c="N"/>; a tab
// is <text:tab/>. A control character XML 1.0 cannot hold becomes U+FFFD.
void append_line(pugi::xml_node cell, std::string_view line) {
  pugi::xml_node paragraph = cell.append_child("text:p");
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  std::string run;
  for (std::size_t i = 0; i < line.size();) {
    if (line[i] == ' ') {
      std::size_t end = i;
      while (end < line.size() && line[end] == ' ') ++end;
      if (end - i == 1 && i > 0 && !blank(line[i - 1]) && end < line.size() && !blank(line[end])) {
        run += ' ';
      } else {
        flush_run(paragraph, run);
        pugi::xml_node spaces = paragraph.append_child("text:s");
        if (end - i > 1) spaces.append_attribute("text:c") = static_cast<unsigned>(end - i);
      }
      i = end;
      continue;
    }
    if (line[i] == '\t') {
      flush_run(paragraph, run);
      paragraph.append_child("text:tab");
    } else {
      run += static_cast<unsigned char>(line[i]) < 0x20 ? std::string_view("\xEF\xBF\xBD") : line.substr(i, 1);
    }
    ++i;
  }
  flush_run(paragraph, run);
}

// A line break in a cell is a new paragraph, as LibreOffice writes it (CR LF, LF and CR alike).
void append_text(pugi::xml_node cell, std::string_view text) {
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find_first_of("\r\n", start);
    append_line(cell, text.substr(start, end - start));
    if (end == std::string_view::npos) return;
    start = end + (text.compare(end, 2, "\r\n") == 0 ? 2 : 1);
  }
}

pugi::xml_node append_cell(pugi::xml_node row, const ColumnSpec& spec, const std::string& text) {
  pugi::xml_node cell = row.append_child("table:table-cell");
  if (text.empty()) return cell;
  if (written_as_number(spec, text)) {
    cell.append_attribute("office:value-type") = "float";
    cell.append_attribute("office:value") = text.c_str();  // a plain decimal is an xsd:double
  } else {
    cell.append_attribute("office:value-type") = "string";
  }
  append_text(cell, text);
  return cell;
}

// The automatic styles: one per column width ("co<N>" for column N), bold ("ce-bold"), wrapped
// ("ce-wrap"), and the text format "@" ("ce-text") that keeps what is typed into a code column text.
void append_styles(pugi::xml_node root, const SheetToWrite& sheet) {
  pugi::xml_node styles = root.append_child("office:automatic-styles");
  std::vector<double> widths;
  for (const ColumnSpec& spec : sheet.columns) widths.push_back(spec.width);
  widths.push_back(kToelichtingTermWidth);
  widths.push_back(kToelichtingTextWidth);
  for (std::size_t c = 0; c < widths.size(); ++c) {
    pugi::xml_node style = styles.append_child("style:style");
    style.append_attribute("style:name") = ("co" + std::to_string(c)).c_str();
    style.append_attribute("style:family") = "table-column";
    pugi::xml_node properties = style.append_child("style:table-column-properties");
    properties.append_attribute("fo:break-before") = "auto";
    properties.append_attribute("style:column-width") = centimetres(widths[c]).c_str();
  }
  pugi::xml_node text_format = styles.append_child("number:text-style");
  text_format.append_attribute("style:name") = "N-text";
  text_format.append_child("number:text-content");

  pugi::xml_node text = styles.append_child("style:style");
  text.append_attribute("style:name") = "ce-text";
  text.append_attribute("style:family") = "table-cell";
  text.append_attribute("style:parent-style-name") = "Default";
  text.append_attribute("style:data-style-name") = "N-text";
  pugi::xml_node bold = styles.append_child("style:style");
  bold.append_attribute("style:name") = "ce-bold";
  bold.append_attribute("style:family") = "table-cell";
  bold.append_attribute("style:parent-style-name") = "Default";
  bold.append_child("style:text-properties").append_attribute("fo:font-weight") = "bold";
  pugi::xml_node wrap = styles.append_child("style:style");
  wrap.append_attribute("style:name") = "ce-wrap";
  wrap.append_attribute("style:family") = "table-cell";
  wrap.append_attribute("style:parent-style-name") = "Default";
  pugi::xml_node cell_properties = wrap.append_child("style:table-cell-properties");
  cell_properties.append_attribute("fo:wrap-option") = "wrap";
  cell_properties.append_attribute("style:vertical-align") = "top";
}

// An OpenFormula string literal: in quotes, a quote doubled.
std::string formula_string(const std::string& value) {
  std::string out = "\"";
  for (const char c : value) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// One validation per column with choices, named "list<N>" after the column; returns the names,
// empty for a column without choices.
std::vector<std::string> append_validations(pugi::xml_node spreadsheet, const SheetToWrite& sheet) {
  std::vector<std::string> names(sheet.columns.size());
  pugi::xml_node validations;
  for (std::size_t c = 0; c < sheet.columns.size(); ++c) {
    const std::vector<std::string>& choices = sheet.columns[c].choices;
    if (choices.empty()) continue;
    if (!validations) validations = spreadsheet.append_child("table:content-validations");
    names[c] = "list" + std::to_string(c);
    std::string condition = "of:cell-content-is-in-list(";
    for (std::size_t i = 0; i < choices.size(); ++i) condition += (i == 0 ? "" : ";") + formula_string(choices[i]);
    condition += ")";
    pugi::xml_node validation = validations.append_child("table:content-validation");
    validation.append_attribute("table:name") = names[c].c_str();
    validation.append_attribute("table:condition") = condition.c_str();
    validation.append_attribute("table:allow-empty-cell") = "true";
    validation.append_attribute("table:display-list") = "unsorted";
    pugi::xml_node error = validation.append_child("table:error-message");
    error.append_attribute("table:title") = kDropDownErrorTitle;
    error.append_attribute("table:display") = "true";
    error.append_attribute("table:message-type") = "stop";
    error.append_child("text:p").text().set(kDropDownErrorMessage);
  }
  return names;
}

// The cells of one row of the first sheet: every column's cell (empty ones too, so that a
// drop-down column's cell carries its validation), then any cell beyond the columns.
void append_partner_cells(pugi::xml_node row, const SheetToWrite& sheet, const std::vector<std::string>& validations,
                          const std::vector<std::string>& cells) {
  static const ColumnSpec kPlain;  // a cell beyond the columns: written as it is, not lost
  const std::size_t width = std::max(sheet.columns.size(), cells.size());
  for (std::size_t c = 0; c < width; ++c) {
    const ColumnSpec& spec = c < sheet.columns.size() ? sheet.columns[c] : kPlain;
    pugi::xml_node cell = append_cell(row, spec, c < cells.size() ? cells[c] : std::string());
    if (c < validations.size() && !validations[c].empty()) {
      cell.append_attribute("table:content-validation-name") = validations[c].c_str();
    }
  }
}

void append_partners(pugi::xml_node spreadsheet, const SheetToWrite& sheet,
                     const std::vector<std::string>& validations) {
  pugi::xml_node table = spreadsheet.append_child("table:table");
  table.append_attribute("table:name") = sheet.name.c_str();
  for (std::size_t c = 0; c < sheet.columns.size(); ++c) {
    pugi::xml_node column = table.append_child("table:table-column");
    column.append_attribute("table:style-name") = ("co" + std::to_string(c)).c_str();
    column.append_attribute("table:default-cell-style-name") = sheet.columns[c].code ? "ce-text" : "Default";
  }
  pugi::xml_node header = table.append_child("table:table-row");
  for (const ColumnSpec& spec : sheet.columns) {
    append_cell(header, kTextColumn, spec.header).append_attribute("table:style-name") = "ce-bold";
  }
  for (const std::vector<std::string>& cells : sheet.rows) {
    append_partner_cells(table.append_child("table:table-row"), sheet, validations, cells);
  }
  // The empty rows up to row 1000 carry the drop-downs too: one row element, repeated.
  const int rows = static_cast<int>(sheet.rows.size()) + 1;
  const bool drop_downs = std::any_of(validations.begin(), validations.end(), [](auto& v) { return !v.empty(); });
  if (drop_downs && rows < kLastDropDownRow) {
    pugi::xml_node filler = table.append_child("table:table-row");
    filler.append_attribute("table:number-rows-repeated") = kLastDropDownRow - rows;
    append_partner_cells(filler, sheet, validations, {});
  }
}

void append_toelichting(pugi::xml_node spreadsheet, const SheetToWrite& sheet) {
  pugi::xml_node table = spreadsheet.append_child("table:table");
  table.append_attribute("table:name") = "Toelichting";
  const std::size_t first_style = sheet.columns.size();  // after the first sheet's column styles
  for (std::size_t c = 0; c < 2; ++c) {
    pugi::xml_node column = table.append_child("table:table-column");
    column.append_attribute("table:style-name") = ("co" + std::to_string(first_style + c)).c_str();
    column.append_attribute("table:default-cell-style-name") = "ce-wrap";
  }
  pugi::xml_node title = table.append_child("table:table-row");
  append_cell(title, kTextColumn, sheet.explanation_title).append_attribute("table:style-name") = "ce-bold";
  for (const ColumnSpec& spec : sheet.columns) {
    pugi::xml_node row = table.append_child("table:table-row");
    append_cell(row, kTextColumn, spec.header);
    append_cell(row, kTextColumn, spec.explanation);
  }
}

std::string content_xml(const SheetToWrite& sheet) {
  pugi::xml_document doc;
  pugi::xml_node root = document_root(doc, "office:document-content");
  append_styles(root, sheet);
  pugi::xml_node spreadsheet = root.append_child("office:body").append_child("office:spreadsheet");
  const std::vector<std::string> validations = append_validations(spreadsheet, sheet);
  append_partners(spreadsheet, sheet, validations);
  append_toelichting(spreadsheet, sheet);
  return serialized(doc);
}

// The view LibreOffice opens: the first sheet active, its header row frozen (vertical split
// mode 2 "frozen" after row 1), as the .xlsx's frozen pane.
std::string settings_xml(const SheetToWrite& sheet) {
  pugi::xml_document doc;
  pugi::xml_node root = document_root(doc, "office:document-settings");
  root.append_attribute("xmlns:config") = "urn:oasis:names:tc:opendocument:xmlns:config:1.0";
  pugi::xml_node set = root.append_child("office:settings").append_child("config:config-item-set");
  set.append_attribute("config:name") = "ooo:view-settings";
  pugi::xml_node views = set.append_child("config:config-item-map-indexed");
  views.append_attribute("config:name") = "Views";
  pugi::xml_node view = views.append_child("config:config-item-map-entry");
  const auto item = [](pugi::xml_node parent, const char* name, const char* type, const std::string& value) {
    pugi::xml_node node = parent.append_child("config:config-item");
    node.append_attribute("config:name") = name;
    node.append_attribute("config:type") = type;
    node.text().set(value.c_str());
  };
  item(view, "ViewId", "string", "view1");
  pugi::xml_node tables = view.append_child("config:config-item-map-named");
  tables.append_attribute("config:name") = "Tables";
  pugi::xml_node table = tables.append_child("config:config-item-map-entry");
  table.append_attribute("config:name") = sheet.name.c_str();
  item(table, "HorizontalSplitMode", "short", "0");
  item(table, "VerticalSplitMode", "short", "2");
  item(table, "VerticalSplitPosition", "int", "1");
  item(table, "ActiveSplitRange", "short", "2");
  item(table, "PositionTop", "int", "0");
  item(table, "PositionBottom", "int", "1");
  item(view, "ActiveTable", "string", sheet.name);
  return serialized(doc);
}

std::string styles_xml() {
  pugi::xml_document doc;
  pugi::xml_node root = document_root(doc, "office:document-styles");
  pugi::xml_node style = root.append_child("office:styles").append_child("style:style");
  style.append_attribute("style:name") = "Default";
  style.append_attribute("style:family") = "table-cell";
  return serialized(doc);
}

std::string manifest_xml() {
  pugi::xml_document doc;
  pugi::xml_node declaration = doc.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  pugi::xml_node root = doc.append_child("manifest:manifest");
  root.append_attribute("xmlns:manifest") = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0";
  root.append_attribute("manifest:version") = "1.2";
  const auto entry = [&root](const char* path, std::string_view type) {
    pugi::xml_node file = root.append_child("manifest:file-entry");
    file.append_attribute("manifest:full-path") = path;
    if (std::string_view(path) == "/") file.append_attribute("manifest:version") = "1.2";
    file.append_attribute("manifest:media-type") = std::string(type).c_str();
  };
  entry("/", kMimeType);
  entry("content.xml", "text/xml");
  entry("styles.xml", "text/xml");
  entry("settings.xml", "text/xml");
  return serialized(doc);
}

}  // namespace

std::string write_ods(const SheetToWrite& sheet) {
  // Every entry's time is this fixed one (the zip's DOS time), so the bytes depend on the sheet
  // alone.
  const Poco::DateTime stamp(2024, 1, 1);
  struct Entry {
    const char* name;
    std::string bytes;
    Poco::Zip::ZipCommon::CompressionMethod method;
  };
  const Entry entries[] = {
      {"mimetype", std::string(kMimeType), Poco::Zip::ZipCommon::CM_STORE},
      {"content.xml", content_xml(sheet), Poco::Zip::ZipCommon::CM_DEFLATE},
      {"styles.xml", styles_xml(), Poco::Zip::ZipCommon::CM_DEFLATE},
      {"settings.xml", settings_xml(sheet), Poco::Zip::ZipCommon::CM_DEFLATE},
      {"META-INF/manifest.xml", manifest_xml(), Poco::Zip::ZipCommon::CM_DEFLATE},
  };
  std::ostringstream out;
  try {
    // Seekable: Poco goes back to put the sizes into each local header rather than appending a
    // data descriptor, so "mimetype"'s header is complete and its text stands at offset 38,
    // where file-type sniffers look for it.
    Poco::Zip::Compress zip(out, true);
    for (const Entry& entry : entries) {
      std::istringstream in(entry.bytes);
      const auto level = entry.method == Poco::Zip::ZipCommon::CM_STORE ? Poco::Zip::ZipCommon::CL_NORMAL
                                                                        : Poco::Zip::ZipCommon::CL_MAXIMUM;
      zip.addFile(in, stamp, Poco::Path(entry.name, Poco::Path::PATH_UNIX), entry.method, level);
    }
    zip.close();
  } catch (const Poco::Exception& e) {
    throw Error("cannot write the .ods: " + e.displayText());
  }
  return out.str();
}

}  // namespace sto::detail
