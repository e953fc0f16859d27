// Reading an agreement: from bytes to the root element (size, encoding, well-formedness,
// DOCTYPE, namespace), then the schema (schema.cpp).
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <openssl/evp.h>

#include "schema.h"
#include "sto/agreement.h"
#include "xml_input.h"

namespace sto {

namespace {

using detail::Walker;

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    throw Error("SHA-256 kon niet worden berekend (OpenSSL)");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xF];
  }
  return hex;
}

// pugixml's parse statuses as plain sentences, Dutch and English.
std::pair<std::string, std::string> parse_error_text(pugi::xml_parse_status status) {
  switch (status) {
    case pugi::status_unrecognized_tag:
      return {"onherkenbare tag", "unrecognised tag"};
    case pugi::status_bad_pi:
      return {"fout in een verwerkingsinstructie of de XML-declaratie",
              "bad processing instruction or XML declaration"};
    case pugi::status_bad_comment:
      return {"fout in een commentaar", "bad comment"};
    case pugi::status_bad_cdata:
      return {"fout in een CDATA-sectie", "bad CDATA section"};
    case pugi::status_bad_pcdata:
      return {"fout in tekst", "bad character data"};
    case pugi::status_bad_start_element:
      return {"fout in een begintag", "bad start tag"};
    case pugi::status_bad_attribute:
      return {"fout in een attribuut (aanhalingstekens of =?)", "bad attribute (quotes or =?)"};
    case pugi::status_bad_end_element:
      return {"fout in een eindtag", "bad end tag"};
    case pugi::status_end_element_mismatch:
      return {"de eindtag hoort niet bij de open begintag, of het bestand houdt te vroeg op",
              "end tag does not match the open start tag, or the file ends too early"};
    case pugi::status_append_invalid_root:
      return {"ongeldige plaats voor het hoofdelement", "invalid place for the root element"};
    case pugi::status_no_document_element:
      return {"er is geen hoofdelement (leeg of afgebroken bestand?)",
              "there is no root element (empty or truncated file?)"};
    default:
      return {"onleesbare XML", "unreadable XML"};
  }
}

}  // namespace

namespace {

// The steps every file of ours takes before its schema: size, encoding, well-formedness, DOCTYPE,
// the root element and its namespace. Calls `schema(walker, root)` when all hold; returns whether
// the model is complete (ReadResult::parsed).
template <class Schema>
bool read_document(std::string_view bytes, std::string& sha256, Findings& findings, std::string_view root_name,
                   std::string_view ns, Schema&& schema) {
  if (bytes.size() > kMaxAgreementBytes) {
    findings.push_back(
        make_finding("bestand.te-groot", 0, {}, {},
                     {{"grootte", std::to_string(bytes.size())}, {"maximum", std::to_string(kMaxAgreementBytes)}}));
    return false;
  }
  sha256 = sha256_hex(bytes);
  const detail::LineTable lines(bytes);
  if (!detail::check_text_bytes(bytes, lines, findings)) return false;

  // pugixml parses in place; our copy keeps the offsets equal to the file's.
  std::string buffer(bytes);
  pugi::xml_document doc;
  const unsigned options = pugi::parse_default | pugi::parse_doctype | pugi::parse_declaration;
  const auto parsed = doc.load_buffer_inplace(buffer.data(), buffer.size(), options, pugi::encoding_utf8);
  if (!parsed) {
    const bool doctype = parsed.status == pugi::status_bad_doctype;
    auto [nl, en] = parse_error_text(parsed.status);
    findings.push_back(make_finding(doctype ? "xml.doctype" : "xml.misvormd", lines.line_of(parsed.offset), {}, {},
                                    {{"fout_nl", std::move(nl)}, {"fout_en", std::move(en)}}));
    return false;
  }
  Walker walker(lines, findings, ns);
  pugi::xml_node root;
  for (const auto node : doc.children()) {
    if (node.type() == pugi::node_doctype) {
      findings.push_back(make_finding("xml.doctype", walker.line(node), {}));
      return false;
    }
    if (node.type() == pugi::node_declaration) {
      const std::string encoding = node.attribute("encoding").value();
      std::string lowered;
      for (char c : encoding) lowered += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      if (!encoding.empty() && lowered != "utf-8" && lowered != "utf8") {
        findings.push_back(make_finding("xml.codering-verklaard", walker.line(node), {}, {}, {{"codering", encoding}}));
        return false;
      }
    }
    if (node.type() == pugi::node_element) root = node;
  }
  if (!detail::check_attribute_counts(root, lines, findings)) return false;
  if (!detail::check_well_formed(bytes, findings)) return false;
  if (walker.name(root) != root_name) {
    const std::string_view qname = root.name();
    const auto colon = qname.find(':');
    if (qname.substr(colon == std::string_view::npos ? 0 : colon + 1) == root_name) {
      const std::string found = walker.namespace_of(root);
      findings.push_back(make_finding("xml.namespace", walker.line(root), std::string(root_name), {},
                                      {{"gevonden", found.empty() ? "—" : found}, {"verwacht", std::string(ns)}}));
    } else {
      findings.push_back(make_finding("xml.wortel", walker.line(root), std::string(qname), {},
                                      {{"naam", std::string(qname)}, {"verwacht", std::string(root_name)}}));
    }
    return false;
  }
  schema(walker, root);
  if (walker.overflowed()) {
    findings.push_back(make_finding("bevindingen.te-veel", 0, {}, {}, {{"maximum", std::to_string(kMaxFindings)}}));
  }
  return !walker.overflowed();
}

// The file's bytes, reading no more than one chunk past kMaxAgreementBytes: enough to know the
// file is too large, without touching 16 MiB of memory for a 60 KiB file (or trusting a size that
// may change). Throws sto::Error when it cannot be read.
std::string read_limited(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error("kan " + path.string() + " niet openen: " + std::strerror(errno));
  }
  std::string bytes;
  std::array<char, 64 * 1024> chunk{};
  while (bytes.size() <= kMaxAgreementBytes && in) {
    in.read(chunk.data(), chunk.size());
    bytes.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw Error("kan " + path.string() + " niet lezen: " + std::strerror(errno));
  return bytes;
}

Finding too_large(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return make_finding("bestand.te-groot", 0, {}, {},
                      {{"grootte", ec ? "> " + std::to_string(kMaxAgreementBytes) : std::to_string(size)},
                       {"maximum", std::to_string(kMaxAgreementBytes)}});
}

}  // namespace

ReadResult read_agreement(std::string_view bytes, std::string source) {
  ReadResult result;
  result.agreement.source = std::move(source);
  result.parsed = read_document(
      bytes, result.agreement.xml_sha256, result.findings, "samenwerkingsovereenkomst", detail::kNamespace,
      [&](Walker& walker, pugi::xml_node root) { detail::read_schema(walker, root, result.agreement); });
  return result;
}

WijzigingRead read_wijziging(std::string_view bytes, std::string source) {
  WijzigingRead result;
  result.wijziging.source = std::move(source);
  result.parsed = read_document(
      bytes, result.wijziging.xml_sha256, result.findings, "wijziging", detail::kWijzigingNamespace,
      [&](Walker& walker, pugi::xml_node root) { detail::read_wijziging_schema(walker, root, result.wijziging); });
  return result;
}

ReadResult read_agreement_file(const std::filesystem::path& path) {
  const std::string bytes = read_limited(path);
  if (bytes.size() > kMaxAgreementBytes) {
    ReadResult result;
    result.agreement.source = path.string();
    result.findings.push_back(too_large(path));
    return result;
  }
  return read_agreement(bytes, path.string());
}

WijzigingRead read_wijziging_file(const std::filesystem::path& path) {
  const std::string bytes = read_limited(path);
  if (bytes.size() > kMaxAgreementBytes) {
    WijzigingRead result;
    result.wijziging.source = path.string();
    result.findings.push_back(too_large(path));
    return result;
  }
  return read_wijziging(bytes, path.string());
}

std::string document_kind(std::string_view bytes) {
  pugi::xml_document doc;
  std::string buffer(bytes.substr(0, std::min<std::size_t>(bytes.size(), kMaxAgreementBytes)));
  // Only the root's name and namespace matter: a failed parse still leaves the elements seen so far.
  doc.load_buffer_inplace(buffer.data(), buffer.size(), pugi::parse_minimal, pugi::encoding_utf8);
  const auto root = doc.document_element();
  if (!root) return {};
  const std::string_view qname = root.name();
  const auto colon = qname.find(':');
  const std::string_view local = qname.substr(colon == std::string_view::npos ? 0 : colon + 1);
  if (local == "samenwerkingsovereenkomst" || local == "wijziging") return std::string(local);
  return {};
}

}  // namespace sto
