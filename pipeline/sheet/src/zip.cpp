// The parts of a zip package, read with Poco::Zip (zip.h).
#include "zip.h"

#include <Poco/Exception.h>
#include <Poco/Zip/ZipArchive.h>
#include <Poco/Zip/ZipLocalFileHeader.h>
#include <Poco/Zip/ZipStream.h>

#include <array>
#include <ios>
#include <istream>
#include <new>
#include <streambuf>
#include <utility>

#include "reading.h"
#include "sto/utf8.h"
#include "workbook.h"

namespace sto::detail {
namespace {

// A read-only, seekable stream over bytes held elsewhere: Poco's ZipArchive and ZipInputStream
// seek to absolute positions, which Poco's own MemoryInputStream cannot (it has no seekpos), and
// a std::istringstream would copy the whole file.
class ByteBuffer : public std::streambuf {
 public:
  explicit ByteBuffer(std::string_view bytes) {
    // std::streambuf wants char*; nothing here writes through it (no overflow, no pbackfail).
    char* begin = const_cast<char*>(bytes.data());
    setg(begin, begin, begin + bytes.size());
  }

 protected:
  pos_type seekoff(off_type offset, std::ios_base::seekdir direction, std::ios_base::openmode which) override {
    const pos_type failed(off_type(-1));
    if ((which & std::ios_base::in) == 0) return failed;
    const off_type size = egptr() - eback();
    off_type base = 0;
    if (direction == std::ios_base::cur) base = gptr() - eback();
    if (direction == std::ios_base::end) base = size;
    // base + offset in [0, size], without letting a hostile 64-bit offset overflow the sum.
    if (offset < -base || offset > size - base) return failed;
    setg(eback(), eback() + base + offset, egptr());
    return pos_type(base + offset);
  }
  pos_type seekpos(pos_type position, std::ios_base::openmode which) override {
    return seekoff(off_type(position), std::ios_base::beg, which);
  }
};

// A complete zip ends with the end-of-central-directory record ("PK\5\6", 22 bytes and a
// comment of at most 65535). Without it the file was cut off; Poco would read the local
// headers it finds and report nothing.
bool has_end_record(std::string_view bytes) {
  constexpr std::size_t kRecord = 22;
  if (bytes.size() < kRecord) return false;
  const std::size_t earliest = bytes.size() > kRecord + 65535 ? bytes.size() - kRecord - 65535 : 0;
  for (std::size_t at = bytes.size() - kRecord + 1; at-- > earliest;) {
    if (bytes.compare(at, 4, "PK\x05\x06") != 0) continue;
    const std::size_t comment = static_cast<unsigned char>(bytes[at + 20]) | static_cast<unsigned char>(bytes[at + 21])
                                                                                 << 8;
    if (at + kRecord + comment == bytes.size()) return true;
  }
  return false;
}

}  // namespace

struct ZipPackage::Impl {
  explicit Impl(std::string_view bytes) : buffer(bytes), stream(&buffer) {}
  ByteBuffer buffer;
  std::istream stream;
  std::unique_ptr<Poco::Zip::ZipArchive> archive;
  std::string format;
  std::size_t inflated = 0;  // bytes inflated so far, all parts
};

ZipPackage::ZipPackage(std::string_view bytes, std::string format) : impl_(std::make_unique<Impl>(bytes)) {
  impl_->format = std::move(format);
  if (bytes.empty()) refuse("het bestand is leeg");
  if (bytes.size() > kMaxSheetFileBytes) refuse("het bestand is groter dan " + megabytes(kMaxSheetFileBytes));
  if (bytes.starts_with(kCompoundFileMagic)) refuse(std::string(kLegacyOrEncrypted));
  if (!bytes.starts_with("PK\x03\x04")) invalid("onleesbare zip");
  if (!has_end_record(bytes)) invalid("onleesbare zip: het einde ontbreekt, het bestand is afgebroken");
  try {
    impl_->archive = std::make_unique<Poco::Zip::ZipArchive>(impl_->stream);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const Poco::Exception&) {
    invalid("onleesbare zip");
  } catch (const std::exception&) {
    invalid("onleesbare zip");
  }
}

ZipPackage::~ZipPackage() = default;

bool ZipPackage::has(const std::string& name) const {
  return impl_->archive->findHeader(name) != impl_->archive->headerEnd();
}

std::optional<std::string> ZipPackage::read(const std::string& name) {
  const auto found = impl_->archive->findHeader(name);
  if (found == impl_->archive->headerEnd()) return std::nullopt;
  const Poco::Zip::ZipLocalFileHeader& header = found->second;
  if (header.isEncrypted()) refuse(std::string(kPasswordProtected));
  // Poco reads an entry with another method (deflate64, bzip2, ...) as empty, without an error.
  if (!header.hasSupportedCompressionMethod()) invalid(name + " is gecomprimeerd op een manier die sto niet leest");
  if (header.isDirectory()) return std::string();
  std::string part;
  try {
    impl_->stream.clear();
    Poco::Zip::ZipInputStream in(impl_->stream, header, true);
    // Poco reports a damaged deflate stream or a CRC mismatch by throwing from the stream
    // buffer; with badbit in the mask std::istream passes that exception on.
    in.exceptions(std::ios_base::badbit);
    std::array<char, 8 * 1024> chunk{};  // Poco inflates 1 KB at a time anyway
    for (;;) {
      in.read(chunk.data(), chunk.size());
      const auto got = static_cast<std::size_t>(in.gcount());
      if (got == 0) break;
      if (got > kMaxSheetPartBytes - part.size()) {
        refuse("het bestand is uitgepakt te groot: " + name + " is meer dan " + megabytes(kMaxSheetPartBytes) +
               " (een zip-bom?)");
      }
      if (got > kMaxSheetInflatedBytes - impl_->inflated) {
        refuse("het bestand is uitgepakt te groot: samen meer dan " + megabytes(kMaxSheetInflatedBytes) +
               " (een zip-bom?)");
      }
      impl_->inflated += got;
      part.append(chunk.data(), got);
    }
  } catch (const SheetError&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const Poco::Exception&) {
    invalid("onleesbare zip: " + name + " is beschadigd");
  } catch (const std::exception&) {
    invalid("onleesbare zip: " + name + " is beschadigd");
  }
  return part;
}

std::unique_ptr<pugi::xml_document> ZipPackage::read_xml(const std::string& name, unsigned options) {
  const std::optional<std::string> bytes = read(name);
  if (!bytes) return nullptr;
  if (!is_utf8(*bytes)) invalid(name + " is geen geldige UTF-8");
  // pugixml skips a DOCTYPE and never expands an entity; such a part is refused all the same,
  // because no spreadsheet program writes one and it can only be an attack or a mistake.
  if (bytes->find("<!DOCTYPE") != std::string::npos || bytes->find("<!ENTITY") != std::string::npos) {
    invalid(name + " heeft een <!DOCTYPE of <!ENTITY");
  }
  auto document = std::make_unique<pugi::xml_document>();
  const pugi::xml_parse_result parsed =
      document->load_buffer(bytes->data(), bytes->size(), options, pugi::encoding_utf8);
  if (!parsed) invalid("onleesbare XML in " + name + " bij byte " + std::to_string(parsed.offset));
  return document;
}

void ZipPackage::invalid(const std::string& why) const {
  refuse("het bestand is geen geldige " + impl_->format + " (" + why + ")");
}

}  // namespace sto::detail
