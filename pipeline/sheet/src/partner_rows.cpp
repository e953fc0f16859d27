// The partner sheet's rows read into partners and tekenbevoegden (partner_rows.h).
#include "partner_rows.h"

#include <algorithm>
#include <cctype>

namespace sto::detail {

Finding& Reader::add(std::string_view rule, const std::string& cell,
                     std::vector<std::pair<std::string, std::string>> args, std::string subject) {
  Finding f = make_finding(rule, 0, {}, std::move(subject), std::move(args));
  f.file = source_;
  f.sheet = sheet_;
  f.cell = cell;
  findings_.push_back(std::move(f));
  return findings_.back();
}

std::string Reader::value(const Cell& cell, int c, const std::string& name) {
  const std::string header(partner_columns()[static_cast<std::size_t>(c)].header);
  switch (cell.kind) {
    case Cell::Kind::empty:
      return "";
    case Cell::Kind::date:
      add("blad.datum", name, {{"kolom", header}, {"waarde", cell.text}});
      return cell.text;
    case Cell::Kind::error:
      add("blad.waarde", name,
          {{"kolom", header}, {"waarde", cell.text}, {"verwacht", "een waarde, geen formulefout"}});
      return "";
    case Cell::Kind::boolean:
      if (c == kPenvoerder) return cell.text == "TRUE" ? "ja" : "";
      return cell.text;
    case Cell::Kind::number:
      if (c == kPenvoerder) return text_value(cell.text, c, name, header);  // 1 or 0
      return number_value(cell, c, name, header);
    case Cell::Kind::text:
      return text_value(cell.text, c, name, header);
  }
  return "";
}

std::string Reader::number_value(const Cell& cell, int c, const std::string& name, const std::string& header) {
  // The length a code has; a number shorter than that lost its leading zeros.
  std::size_t length = 0;
  if (c == kKvk) length = 8;
  if (c == kVestigingsnummer) length = 2;
  if (c == kBevoegdGezagNummer) length = 5;
  const bool whole = cell.text.find_first_not_of("0123456789") == std::string::npos;
  if (length != 0 && whole && cell.text.size() < length) {
    const std::string meant = std::string(length - cell.text.size(), '0') + cell.text;
    add("blad.voorloopnul", name, {{"kolom", header}, {"waarde", cell.text}, {"bedoeld", meant}});
    return meant;
  }
  // An amount is a number in the sheet and "1500.00" in the agreement.
  if (c == kGeld) {
    if (const auto cents = parse_euros(cell.text)) return format_euros_plain(*cents);
  }
  return cell.text;
}

std::string Reader::text_value(const std::string& raw, int c, const std::string& name, const std::string& header) {
  std::string text = raw;
  for (char& ch : text) {
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';  // one line per value (see the top)
  }
  const auto first = text.find_first_not_of(' ');
  text = first == std::string::npos ? "" : text.substr(first, text.find_last_not_of(' ') - first + 1);
  if (c == kKvk && text.find_first_not_of("0123456789 .") == std::string::npos) {
    std::erase_if(text, [](char ch) { return ch == ' ' || ch == '.'; });
  }
  if (c == kBrin || c == kPostcode) {
    for (char& ch : text) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  // A Dutch decimal comma in an amount ("1500,50"): the only reading there is.
  if (c == kGeld && std::count(text.begin(), text.end(), ',') == 1 && text.find('.') == std::string::npos &&
      text.size() - text.find(',') <= 3) {
    text[text.find(',')] = '.';
  }
  // The agreement's form of an amount ("0" and "0.00" are the same amount): no correction.
  const auto cents = c == kGeld ? parse_euros(text) : std::nullopt;
  if (cents && text.find(',') == std::string::npos && text == raw) return format_euros_plain(*cents);
  if (cents) text = format_euros_plain(*cents);
  if (c == kSoort || c == kHoedanigheid || c == kPenvoerder) {
    for (char& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  if (c == kPenvoerder) {
    if (text == "ja" || text == "j" || text == "x" || text == "yes" || text == "waar" || text == "true" ||
        text == "1") {
      text = "ja";
    } else if (text.empty() || text == "nee" || text == "n" || text == "no" || text == "onwaar" || text == "false" ||
               text == "0") {
      text = "";
    } else {
      add("blad.waarde", name, {{"kolom", header}, {"waarde", raw}, {"verwacht", "ja of nee"}});
      return "";
    }
    return text;
  }
  if (text != raw) add("blad.genormaliseerd", name, {{"kolom", header}, {"waarde", raw}, {"wordt", text}});
  return text;
}

// The workbook's partner sheet: the one named "Partners", else the first.
const Sheet* partner_sheet_of(const Workbook& book) {
  for (const Sheet& s : book.sheets) {
    std::string name = s.name;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (name == "partners") return &s;
  }
  return book.sheets.empty() ? nullptr : &book.sheets.front();
}

// The header row's columns: position in the sheet → column. Reports unknown, doubled and
// missing columns.
std::map<std::size_t, int> read_header(const SheetRow& header, Reader& r) {
  std::map<std::size_t, int> at;
  std::map<int, std::string> seen;  // column → its cell
  // A first row that names no column at all is data, not a header: one finding says so.
  if (std::none_of(header.cells.begin(), header.cells.end(),
                   [](const Cell& c) { return c.kind == Cell::Kind::text && column_named(c.text).has_value(); })) {
    r.add("blad.kop-ontbreekt", cell_name(0, header.number), {});
    return at;
  }
  for (std::size_t i = 0; i < header.cells.size(); ++i) {
    const Cell& cell = header.cells[i];
    if (cell.kind == Cell::Kind::empty || cell.text.find_first_not_of(" \t") == std::string::npos) continue;
    const std::string name = cell_name(static_cast<int>(i), header.number);
    const auto column = column_named(cell.text);
    if (!column) {
      r.add("blad.kolom-onbekend", name, {{"kolom", cell.text}});
    } else if (const auto [it, added] = seen.emplace(*column, name); !added) {
      r.add("blad.kolom-dubbel", name, {{"kolom", cell.text}, {"eerste", it->second}});
    } else {
      at[i] = *column;
    }
  }
  for (const int required :
       {kId, kSoort, kNaam, kBijdrage, kTekenbevoegdeId, kTekenbevoegdeNaam, kFunctie, kHoedanigheid, kEmail}) {
    if (!seen.contains(required)) {
      r.add("blad.kolom-ontbreekt", cell_name(0, header.number),
            {{"kolom", std::string(partner_columns()[static_cast<std::size_t>(required)].header)}});
    }
  }
  return at;
}

// The partners of the sheet's rows below the header.
std::vector<SheetPartner> read_partners(const Sheet& sheet, std::size_t header_index,
                                        const std::map<std::size_t, int>& columns, Reader& r) {
  std::vector<SheetPartner> partners;
  for (std::size_t i = header_index + 1; i < sheet.rows.size(); ++i) {
    const SheetRow& row = sheet.rows[i];
    std::array<Value, kColumnCount> values;
    for (const auto& [position, column] : columns) {
      if (position >= row.cells.size()) continue;
      const std::string name = cell_name(static_cast<int>(position), row.number);
      std::string text = r.value(row.cells[position], column, name);
      if (!text.empty()) values[static_cast<std::size_t>(column)] = Value{std::move(text), name};
    }
    const auto any = [&](bool partner) {
      for (int c = 0; c < kColumnCount; ++c) {
        if (is_partner_column(c) == partner && !values[static_cast<std::size_t>(c)].text.empty()) return true;
      }
      return false;
    };
    const bool has_partner = any(true);
    const bool has_tekenbevoegde = any(false);
    if (!has_partner && !has_tekenbevoegde) continue;
    // A later row of the same partner: its partner columns empty, or repeating that partner's
    // values (a sheet that repeats them on every row). A row with the same id but other values is
    // another partner, which the reader then reports as a doubled id, at its cell.
    const auto repeats = [&](const SheetPartner& p) {
      for (int c = kId; c <= kBijdrage; ++c) {
        const std::string& here = values[static_cast<std::size_t>(c)].text;
        if (!here.empty() && here != p.values[static_cast<std::size_t>(c)].text) return false;
      }
      return true;
    };
    const bool continues = !partners.empty() && (!has_partner || repeats(partners.back()));
    if (!continues && has_partner) {
      SheetPartner p;
      p.row = row.number;
      std::copy(values.begin(), values.begin() + kBijdrage + 1, p.values.begin());
      partners.push_back(std::move(p));
    } else if (partners.empty()) {
      r.add("blad.zonder-partner", cell_name(0, row.number), {});
      continue;
    }
    if (has_tekenbevoegde) {
      SheetTekenbevoegde t;
      t.row = row.number;
      std::copy(values.begin() + kTekenbevoegdeId, values.end(), t.values.begin() + kTekenbevoegdeId);
      partners.back().tekenbevoegden.push_back(std::move(t));
    }
  }
  return partners;
}

}  // namespace sto::detail
