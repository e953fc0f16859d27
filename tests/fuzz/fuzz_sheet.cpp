// libFuzzer target: any bytes as a spreadsheet, through the .xlsx, .ods and .csv readers
// (pipeline/sheet/src/workbook.h) and the zip, XML and text parsing behind them. Each must
// refuse bad bytes with a SheetError only, and never crash, hang, or trip a sanitizer.
//
// A mutated zip almost never passes its CRC, so the fuzzer would rarely get past the zip into
// the XML readers. The bytes are therefore also tried as one part of an otherwise valid package
// (stored, with the right CRC): the relationships, the workbook, its relationships, the shared
// strings, the styles or the sheet of an .xlsx, or the content.xml of an .ods.
#include <Poco/DateTime.h>
#include <Poco/Path.h>
#include <Poco/Zip/Compress.h>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "workbook.h"

namespace {

using Parts = std::vector<std::pair<std::string, std::string>>;

std::string zip_of(const Parts& parts) {
  std::ostringstream out;
  Poco::Zip::Compress compress(out, true);
  for (const auto& [name, content] : parts) {
    std::istringstream in(content);
    compress.addFile(in, Poco::DateTime(2024, 9, 1), Poco::Path(name), Poco::Zip::ZipCommon::CM_STORE);
  }
  compress.close();
  return out.str();
}

Parts xlsx_parts() {
  const std::string main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
  const std::string relationships = "http://schemas.openxmlformats.org/package/2006/relationships";
  const std::string type = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";
  return {
      {"_rels/.rels", "<Relationships xmlns=\"" + relationships + "\"><Relationship Id=\"rId1\" Type=\"" + type +
                          "officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"},
      {"xl/workbook.xml", "<workbook xmlns=\"" + main + "\" xmlns:r=\"" + type.substr(0, type.size() - 1) +
                              "\"><workbookPr date1904=\"0\"/><sheets><sheet name=\"Blad1\" sheetId=\"1\" "
                              "r:id=\"rId1\"/></sheets></workbook>"},
      {"xl/_rels/workbook.xml.rels",
       "<Relationships xmlns=\"" + relationships + "\"><Relationship Id=\"rId1\" Type=\"" + type +
           "worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"" + type +
           "sharedStrings\" Target=\"sharedStrings.xml\"/><Relationship Id=\"rId3\" Type=\"" + type +
           "styles\" Target=\"styles.xml\"/></Relationships>"},
      {"xl/sharedStrings.xml", "<sst xmlns=\"" + main + "\"><si><t>a</t></si><si><r><t>b</t></r></si></sst>"},
      {"xl/styles.xml", "<styleSheet xmlns=\"" + main +
                            "\"><numFmts><numFmt numFmtId=\"164\" formatCode=\"d-m-yyyy\"/></numFmts><cellXfs>"
                            "<xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/></cellXfs></styleSheet>"},
      {"xl/worksheets/sheet1.xml", "<worksheet xmlns=\"" + main +
                                       "\"><sheetData><row><c t=\"s\" s=\"1\"><v>0</v></c></row></sheetData>"
                                       "</worksheet>"},
  };
}

template <typename Read>
void refused_or_read(Read read) {
  try {
    (void)read();
  } catch (const sto::detail::SheetError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  refused_or_read([&] { return sto::detail::read_xlsx(bytes); });
  refused_or_read([&] { return sto::detail::read_ods(bytes); });
  refused_or_read([&] { return sto::detail::read_csv(bytes, "fuzz"); });

  // One package per input, chosen by its length, so that each run stays cheap; the fuzzer's
  // insertions and deletions move an input through all of them.
  static const Parts xlsx = xlsx_parts();
  const std::size_t role = size % (xlsx.size() + 1);
  if (role < xlsx.size()) {
    Parts parts = xlsx;
    parts[role].second = std::string(bytes);
    const std::string package = zip_of(parts);
    refused_or_read([&] { return sto::detail::read_xlsx(package); });
  } else {
    const std::string package =
        zip_of({{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}, {"content.xml", std::string(bytes)}});
    refused_or_read([&] { return sto::detail::read_ods(package); });
  }
  return 0;
}
