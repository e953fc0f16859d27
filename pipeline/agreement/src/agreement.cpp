// Value types of the agreement: money, dates and the enums' XML spellings.
#include <array>
#include <chrono>
#include <cstdio>
#include <utility>

#include "sto/agreement.h"

namespace sto {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view text) {
  for (char c : text) {
    if (!is_digit(c)) return false;
  }
  return !text.empty();
}

// Digits only, already checked, short enough not to overflow.
std::int64_t digits_value(std::string_view digits) {
  std::int64_t value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

template <typename Enum, std::size_t N>
std::optional<Enum> lookup(const std::array<std::pair<Enum, std::string_view>, N>& table, std::string_view text) {
  for (const auto& [value, name] : table) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value) {
  for (const auto& [candidate, name] : table) {
    if (candidate == value) return name;
  }
  return "?";
}

constexpr std::array<std::pair<PartnerSoort, std::string_view>, 10> kPartnerSoorten{{
    {PartnerSoort::vmbo, "vmbo"},
    {PartnerSoort::mbo, "mbo"},
    {PartnerSoort::po, "po"},
    {PartnerSoort::vso, "vso"},
    {PartnerSoort::pro, "pro"},
    {PartnerSoort::hbo, "hbo"},
    {PartnerSoort::wo, "wo"},
    {PartnerSoort::bedrijf, "bedrijf"},
    {PartnerSoort::overheid, "overheid"},
    {PartnerSoort::overig, "overig"},
}};
constexpr std::array<std::pair<Hoedanigheid, std::string_view>, 4> kHoedanigheden{{
    {Hoedanigheid::bestuur, "bestuur"},
    {Hoedanigheid::directeur, "directeur"},
    {Hoedanigheid::kvk, "kvk"},
    {Hoedanigheid::gemachtigde, "gemachtigde"},
}};
constexpr std::array<std::pair<RegioSoort, std::string_view>, 2> kRegioSoorten{{
    {RegioSoort::techniekregio, "techniekregio"},
    {RegioSoort::techniekluw, "techniekluw"},
}};
constexpr std::array<std::pair<DocumentSoort, std::string_view>, 3> kDocumentSoorten{{
    {DocumentSoort::regiovisie, "regiovisie"},
    {DocumentSoort::activiteitenplan, "activiteitenplan"},
    {DocumentSoort::begroting, "begroting"},
}};
constexpr std::array<std::pair<WijzigingSoort, std::string_view>, 4> kWijzigingSoorten{{
    {WijzigingSoort::toetreding, "toetreding"},
    {WijzigingSoort::uittreding, "uittreding"},
    {WijzigingSoort::vervanging, "vervanging"},
    {WijzigingSoort::bijdrage, "bijdrage"},
}};

constexpr std::size_t kMaxEuroDigits = 12;  // < 10^12 euros: cents * 10^4 still fits in int64

}  // namespace

std::optional<Cents> parse_euros(std::string_view text) {
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (!all_digits(whole) || whole.size() > kMaxEuroDigits) return std::nullopt;
  if (dot != std::string_view::npos && (!all_digits(fraction) || fraction.size() > 2)) {
    return std::nullopt;
  }
  Cents cents = digits_value(whole) * 100;
  if (fraction.size() == 1) cents += (fraction[0] - '0') * 10;
  if (fraction.size() == 2) cents += digits_value(fraction);
  return cents;
}

std::string format_euros_plain(Cents cents) {
  const Cents euros = cents / 100;
  const Cents rest = cents % 100;
  return std::to_string(euros) + (rest < 10 ? ".0" : ".") + std::to_string(rest);
}

std::string format_euros_nl(Cents cents) {
  const std::string digits = std::to_string(cents / 100);
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += '.';
    grouped += digits[i];
  }
  const Cents rest = cents % 100;
  return grouped + (rest < 10 ? ",0" : ",") + std::to_string(rest);
}

std::string Date::iso() const {
  std::array<char, 16> buffer{};
  const auto* fmt = "%04d-%02u-%02u";
  const int n = std::snprintf(buffer.data(), buffer.size(), fmt, year, month, day);
  return std::string(buffer.data(), static_cast<std::size_t>(n > 0 ? n : 0));
}

std::optional<Date> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto y = text.substr(0, 4);
  const auto m = text.substr(5, 2);
  const auto d = text.substr(8, 2);
  if (!all_digits(y) || !all_digits(m) || !all_digits(d)) return std::nullopt;
  Date date{static_cast<int>(digits_value(y)), static_cast<unsigned>(digits_value(m)),
            static_cast<unsigned>(digits_value(d))};
  const std::chrono::year_month_day ymd{std::chrono::year{date.year}, std::chrono::month{date.month},
                                        std::chrono::day{date.day}};
  if (!ymd.ok() || date.year < 1900) return std::nullopt;
  return date;
}

std::string_view to_string(PartnerSoort soort) { return name_of(kPartnerSoorten, soort); }
std::string_view to_string(Hoedanigheid hoedanigheid) { return name_of(kHoedanigheden, hoedanigheid); }
std::string_view to_string(RegioSoort soort) { return name_of(kRegioSoorten, soort); }
std::string_view to_string(DocumentSoort soort) { return name_of(kDocumentSoorten, soort); }

std::optional<PartnerSoort> parse_partner_soort(std::string_view text) { return lookup(kPartnerSoorten, text); }
std::optional<Hoedanigheid> parse_hoedanigheid(std::string_view text) { return lookup(kHoedanigheden, text); }
std::optional<RegioSoort> parse_regio_soort(std::string_view text) { return lookup(kRegioSoorten, text); }
std::optional<DocumentSoort> parse_document_soort(std::string_view text) { return lookup(kDocumentSoorten, text); }
std::string_view to_string(WijzigingSoort soort) { return name_of(kWijzigingSoorten, soort); }
std::optional<WijzigingSoort> parse_wijziging_soort(std::string_view text) { return lookup(kWijzigingSoorten, text); }

bool is_school(PartnerSoort soort) {
  switch (soort) {
    case PartnerSoort::bedrijf:
    case PartnerSoort::overheid:
    case PartnerSoort::overig:
      return false;
    default:
      return true;
  }
}

}  // namespace sto
