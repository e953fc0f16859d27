// Money, dates and enum spellings of the agreement model.
#include <gtest/gtest.h>

#include "sto/agreement.h"

namespace sto {
namespace {

TEST(ParseEuros, ReadsWholeAndDecimalAmountsAsExactCents) {
  EXPECT_EQ(parse_euros("4200000.00"), 420000000);
  EXPECT_EQ(parse_euros("0.00"), 0);
  EXPECT_EQ(parse_euros("15000"), 1500000);
  EXPECT_EQ(parse_euros("0.1"), 10);
  EXPECT_EQ(parse_euros("0.07"), 7);
  EXPECT_EQ(parse_euros("999999999999.99"), 99999999999999);
}

TEST(ParseEuros, RejectsAnythingButDigitsWithAtMostTwoDecimals) {
  for (const char* bad : {"", ".", "1.", ".5", "1,50", "1.000,00", "-5.00", "+5", "1.005", "1e6", " 5", "5 ", "0x10",
                          "1000000000000.00", "12.3.4"}) {
    EXPECT_EQ(parse_euros(bad), std::nullopt) << bad;
  }
}

TEST(FormatEuros, PrintsPlainAndDutchForms) {
  EXPECT_EQ(format_euros_plain(420000000), "4200000.00");
  EXPECT_EQ(format_euros_plain(7), "0.07");
  EXPECT_EQ(format_euros_nl(420000001), "4.200.000,01");
  EXPECT_EQ(format_euros_nl(99999), "999,99");
  EXPECT_EQ(format_euros_nl(0), "0,00");
}

TEST(ParseDate, AcceptsExistingIsoDates) {
  const auto date = parse_date("2024-02-29");
  ASSERT_TRUE(date.has_value());
  EXPECT_EQ(date->year, 2024);
  EXPECT_EQ(date->month, 2u);
  EXPECT_EQ(date->day, 29u);
  EXPECT_EQ(date->iso(), "2024-02-29");
  EXPECT_LT(*parse_date("2027-12-31"), *parse_date("2028-01-01"));
}

TEST(ParseDate, RejectsNonexistentAndNonIsoDates) {
  for (const char* bad : {"2023-02-29", "2024-02-30", "2024-13-01", "2024-00-10", "2024-2-3", "24-02-03", "2024/02/03",
                          "03-02-2024", "2024-02-03T00:00", "", "1899-12-31"}) {
    EXPECT_EQ(parse_date(bad), std::nullopt) << bad;
  }
}

TEST(Enums, RoundTripTheirXmlSpelling) {
  for (const char* soort : {"vmbo", "mbo", "po", "vso", "pro", "hbo", "wo", "bedrijf", "overheid", "overig"}) {
    const auto parsed = parse_partner_soort(soort);
    ASSERT_TRUE(parsed.has_value()) << soort;
    EXPECT_EQ(to_string(*parsed), soort);
  }
  EXPECT_EQ(parse_partner_soort("VMBO"), std::nullopt);
  EXPECT_EQ(parse_hoedanigheid("gemachtigde"), Hoedanigheid::gemachtigde);
  EXPECT_EQ(parse_regio_soort("techniekluw"), RegioSoort::techniekluw);
  EXPECT_EQ(parse_document_soort("begroting"), DocumentSoort::begroting);
  EXPECT_TRUE(is_school(PartnerSoort::wo));
  EXPECT_FALSE(is_school(PartnerSoort::overheid));
}

}  // namespace
}  // namespace sto
