// Private to pipeline/sheet: the partner sheet's rows read into partners and tekenbevoegden
// (partner_rows.cpp), with what a spreadsheet did to their values undone or reported, each value
// remembering its cell; partners.cpp turns them into the agreement's <partners>.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "columns.h"

namespace sto::detail {

// A value read from a cell, with where it came from.
struct Value {
  std::string text;
  std::string cell;  // "I57"; empty when the column is not in the sheet or the cell is empty
};

struct SheetTekenbevoegde {
  int row = 0;
  std::array<Value, kColumnCount> values;
};

struct SheetPartner {
  int row = 0;
  std::array<Value, kColumnCount> values;
  std::vector<SheetTekenbevoegde> tekenbevoegden;
};

// Findings about the sheet, located by cell, and the values of its cells as the agreement
// needs them.
class Reader {
 public:
  Reader(const std::string& source, std::string sheet) : source_(source), sheet_(std::move(sheet)) {}

  // Adds a finding of `rule` at `cell` of this sheet.
  Finding& add(std::string_view rule, const std::string& cell, std::vector<std::pair<std::string, std::string>> args,
               std::string subject = {});

  // The value of `cell` in column `c`, named `name` ("I57"), with what a spreadsheet did to it
  // undone where that is safe (and said), and reported where it is not.
  std::string value(const Cell& cell, int c, const std::string& name);

  Findings& findings() { return findings_; }

 private:
  std::string number_value(const Cell& cell, int c, const std::string& name, const std::string& header);
  std::string text_value(const std::string& raw, int c, const std::string& name, const std::string& header);

  std::string source_;
  std::string sheet_;
  Findings findings_;
};

// The workbook's partner sheet: the one named "Partners", else the first; null when none.
const Sheet* partner_sheet_of(const Workbook& book);

// The header row's columns: position in the sheet → column. Reports unknown, doubled and
// missing columns (and a first row that names none: no header).
std::map<std::size_t, int> read_header(const SheetRow& header, Reader& r);

// The partners of the sheet's rows after `header_index`.
std::vector<SheetPartner> read_partners(const Sheet& sheet, std::size_t header_index,
                                        const std::map<std::size_t, int>& columns, Reader& r);

}  // namespace sto::detail
