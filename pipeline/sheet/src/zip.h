// Private to pipeline/sheet: the parts of a zip package (an .xlsx or an .ods), read with
// Poco::Zip and parsed as XML with pugixml.
//
// The sizes a zip states are never trusted: each part is inflated in chunks, and the limits of
// workbook.h (kMaxSheetPartBytes per part, kMaxSheetInflatedBytes for all parts read) are
// checked as the bytes arrive, so a zip bomb stops at the limit with a SheetError.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <pugixml.hpp>

namespace sto::detail {

class ZipPackage {
 public:
  // Reads the zip's directory from `bytes`, which must outlive the package. `format` (".xlsx",
  // ".ods") names the file type in messages. Throws SheetError for an empty file, one larger than
  // kMaxSheetFileBytes, a legacy .xls or encrypted workbook (an OLE2 compound file), and
  // anything that is not a complete, readable zip.
  ZipPackage(std::string_view bytes, std::string format);
  ~ZipPackage();
  ZipPackage(const ZipPackage&) = delete;
  ZipPackage& operator=(const ZipPackage&) = delete;

  // Whether the zip has a part named `name` (exactly: "xl/workbook.xml").
  bool has(const std::string& name) const;

  // The part `name` inflated; std::nullopt when there is none. Throws SheetError when the part
  // is encrypted, compressed in a way other than stored or deflated, damaged (deflate stream,
  // CRC), or inflates past the limits.
  std::optional<std::string> read(const std::string& name);

  // The part `name` parsed by pugixml with `options`; nullptr when there is none. Throws
  // SheetError as read() does, and when the part is not UTF-8, not well-formed, or has a
  // <!DOCTYPE or <!ENTITY (a spreadsheet never has one; entities are never expanded).
  std::unique_ptr<pugi::xml_document> read_xml(const std::string& name, unsigned options = pugi::parse_default);

  // Throws SheetError "het bestand is geen geldige .xlsx (`why`)".
  [[noreturn]] void invalid(const std::string& why) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sto::detail
