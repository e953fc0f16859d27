// Writing a sheet as .xlsx with libxlsxwriter: a bold, frozen header row, codes as text cells in
// a text-formatted column, plain decimals as numbers, drop-down lists, and the Toelichting sheet.
#include <unistd.h>
#include <xlsxwriter.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "workbook.h"

namespace sto::detail {

namespace {

// 2024-01-01T00:00:00Z. docProps/core.xml's dcterms:created is the clock's time when this is 0;
// a fixed value makes the bytes depend on the sheet alone (libxlsxwriter 1.1.4 stamps every zip
// entry 1980-01-01 00:00 itself, and writes no other time).
constexpr time_t kCreated = 1704067200;

// libxlsxwriter writes to a file name only (1.1.4 has no memory output): a private file
// (mkstemp, 0600) in the temporary directory, removed whatever happens.
class TemporaryFile {
 public:
  TemporaryFile() {
    std::error_code error;
    const std::filesystem::path directory = std::filesystem::temp_directory_path(error);
    if (error) throw Error("cannot create a temporary file for the .xlsx: " + error.message());
    std::string name = (directory / "sto-xlsx-XXXXXX").string();
    const int fd = ::mkstemp(name.data());
    if (fd < 0) {
      throw Error("cannot create a temporary file for the .xlsx in " + directory.string() + ": " +
                  std::strerror(errno));
    }
    ::close(fd);
    path_ = name;
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A workbook not yet closed; workbook_close() writes and frees it, this frees it unwritten.
struct WorkbookFree {
  void operator()(lxw_workbook* workbook) const { lxw_workbook_free(workbook); }
};
using WorkbookHandle = std::unique_ptr<lxw_workbook, WorkbookFree>;

void check(lxw_error error, const char* what) {
  if (error != LXW_NO_ERROR) throw Error(std::string("cannot write the .xlsx (") + what + "): " + lxw_strerror(error));
}

lxw_worksheet* add_worksheet(lxw_workbook* workbook, const std::string& name) {
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, name.c_str());
  if (sheet == nullptr) throw Error("cannot write the .xlsx: bad sheet name \"" + name + "\"");
  return sheet;
}

struct Formats {
  lxw_format* bold;
  lxw_format* text;  // "@": what is typed into the column stays text too
  lxw_format* wrap;
};

Formats add_formats(lxw_workbook* workbook) {
  Formats formats{workbook_add_format(workbook), workbook_add_format(workbook), workbook_add_format(workbook)};
  format_set_bold(formats.bold);
  format_set_num_format(formats.text, "@");
  format_set_text_wrap(formats.wrap);
  format_set_align(formats.wrap, LXW_ALIGN_VERTICAL_TOP);
  return formats;
}

// Excel keeps a list validation's values as one quoted, comma-separated formula of at most 255
// characters; a value with a comma or a quote cannot be in it.
void add_drop_down(lxw_worksheet* sheet, lxw_col_t column, const std::vector<std::string>& choices) {
  std::vector<char*> list;
  for (const std::string& choice : choices) {
    if (choice.find_first_of(",\"") != std::string::npos) {
      throw Error("cannot write the .xlsx: a drop-down value has a comma or a quote: " + choice);
    }
    list.push_back(const_cast<char*>(choice.c_str()));  // libxlsxwriter copies, never writes
  }
  list.push_back(nullptr);
  lxw_data_validation validation{};
  validation.validate = LXW_VALIDATION_TYPE_LIST;
  validation.value_list = list.data();
  validation.error_title = const_cast<char*>(kDropDownErrorTitle);
  validation.error_message = const_cast<char*>(kDropDownErrorMessage);
  const auto last = static_cast<lxw_row_t>(kLastDropDownRow - 1);  // 0-based
  check(worksheet_data_validation_range(sheet, 1, column, last, column, &validation), "drop-down");
}

void write_cell(lxw_worksheet* sheet, lxw_row_t row, lxw_col_t column, const ColumnSpec& spec, const std::string& text,
                const Formats& formats) {
  if (text.empty()) return;
  double value = 0;
  const char* end = text.data() + text.size();
  if (written_as_number(spec, text) && std::from_chars(text.data(), end, value).ptr == end) {
    check(worksheet_write_number(sheet, row, column, value, nullptr), "number");
    return;
  }
  // A code is written as a string whatever it looks like, so "01234567" keeps its zero.
  check(worksheet_write_string(sheet, row, column, text.c_str(), spec.code ? formats.text : nullptr), "text");
}

void write_partners(lxw_worksheet* sheet, const SheetToWrite& input, const Formats& formats) {
  static const ColumnSpec kPlain;  // a cell beyond the columns: written as it is, not lost
  for (std::size_t c = 0; c < input.columns.size(); ++c) {
    const ColumnSpec& spec = input.columns[c];
    const auto column = static_cast<lxw_col_t>(c);
    check(worksheet_set_column(sheet, column, column, spec.width, spec.code ? formats.text : nullptr), "width");
    check(worksheet_write_string(sheet, 0, column, spec.header.c_str(), formats.bold), "header");
    if (!spec.choices.empty()) add_drop_down(sheet, column, spec.choices);
  }
  worksheet_freeze_panes(sheet, 1, 0);
  for (std::size_t r = 0; r < input.rows.size(); ++r) {
    const std::vector<std::string>& cells = input.rows[r];
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const ColumnSpec& spec = c < input.columns.size() ? input.columns[c] : kPlain;
      write_cell(sheet, static_cast<lxw_row_t>(r + 1), static_cast<lxw_col_t>(c), spec, cells[c], formats);
    }
  }
}

void write_toelichting(lxw_worksheet* sheet, const SheetToWrite& input, const Formats& formats) {
  check(worksheet_set_column(sheet, 0, 0, kToelichtingTermWidth, formats.wrap), "width");
  check(worksheet_set_column(sheet, 1, 1, kToelichtingTextWidth, formats.wrap), "width");
  if (!input.explanation_title.empty()) {
    check(worksheet_write_string(sheet, 0, 0, input.explanation_title.c_str(), formats.bold), "title");
  }
  for (std::size_t c = 0; c < input.columns.size(); ++c) {
    const auto row = static_cast<lxw_row_t>(c + 1);
    if (!input.columns[c].header.empty()) {
      check(worksheet_write_string(sheet, row, 0, input.columns[c].header.c_str(), formats.wrap), "term");
    }
    if (!input.columns[c].explanation.empty()) {
      check(worksheet_write_string(sheet, row, 1, input.columns[c].explanation.c_str(), formats.wrap), "explanation");
    }
  }
}

std::string read_back(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (!in.good() && !in.eof()) throw Error("cannot read back the .xlsx written to " + path.string());
  return bytes;
}

}  // namespace

std::string write_xlsx(const SheetToWrite& sheet) {
  const TemporaryFile file;
  {
    WorkbookHandle workbook(workbook_new(file.path().c_str()));
    if (!workbook) throw Error("cannot start the .xlsx (out of memory)");
    lxw_doc_properties properties{};
    properties.created = kCreated;
    check(workbook_set_properties(workbook.get(), &properties), "properties");
    const Formats formats = add_formats(workbook.get());
    write_partners(add_worksheet(workbook.get(), sheet.name), sheet, formats);
    write_toelichting(add_worksheet(workbook.get(), "Toelichting"), sheet, formats);
    check(workbook_close(workbook.release()), "file");
  }
  return read_back(file.path());
}

}  // namespace sto::detail
