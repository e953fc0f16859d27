#include "sto/audit.h"

#include <openssl/evp.h>

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <algorithm>
#include <cstdio>
#include <typeinfo>

#include "sto/diagnostics.h"
#include "sto/utf8.h"

namespace sto {

namespace {

void append_string(std::string& out, std::string_view s) {
  if (!is_utf8(s)) throw Error("auditregel: geen geldige UTF-8");
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

}  // namespace

std::string canonical_json(const AuditEntry& entry) {
  // std::map orders keys by bytes; for UTF-8 that is code-point order, which is Python's too.
  std::string out = "{";
  for (const auto& [key, value] : entry) {
    if (out.size() > 1) out += ',';
    append_string(out, key);
    out += ':';
    if (const auto* s = std::get_if<std::string>(&value)) {
      append_string(out, *s);
    } else {
      out += std::to_string(std::get<std::int64_t>(value));
    }
  }
  out += '}';
  return out;
}

std::string chain_hash(std::string_view previous, std::string_view canonical) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, previous.data(), previous.size()) == 1 &&
                  EVP_DigestUpdate(ctx, canonical.data(), canonical.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, digest, &size) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) throw Error("auditlog: SHA-256 mislukt");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

std::string jsonl_line(const AuditRecord& record) {
  AuditEntry entry = parse_flat_json(record.canonical);
  entry["hash"] = record.hash;
  return canonical_json(entry);
}

AuditEntry parse_flat_json(std::string_view text) {
  if (!is_utf8(text)) throw Error("geen geldige UTF-8");
  Poco::Dynamic::Var parsed;
  try {
    Poco::JSON::Parser parser;
    parsed = parser.parse(std::string(text));
  } catch (const Poco::Exception& e) {
    throw Error("geen JSON: " + e.displayText());
  }
  // A line is input: an array, a number beyond 64 bits or anything else Poco will not convert is
  // an Error like every other malformed line, never another kind of exception.
  Poco::JSON::Object::Ptr object;
  if (parsed.type() == typeid(Poco::JSON::Object::Ptr)) object = parsed.extract<Poco::JSON::Object::Ptr>();
  if (object.isNull()) throw Error("geen JSON-object");
  AuditEntry entry;
  for (const auto& [key, value] : *object) {
    try {
      if (value.isString()) {
        entry[key] = value.extract<std::string>();
      } else if (value.isInteger() && !value.isBoolean()) {
        entry[key] = value.convert<std::int64_t>();
      } else {
        throw Error("veld \"" + key + "\" is geen tekst of geheel getal");
      }
    } catch (const Poco::Exception& e) {
      throw Error("veld \"" + key + "\": " + e.displayText());
    }
  }
  return entry;
}

std::vector<std::string> verify_chain(const std::vector<std::string>& lines, std::string& head,
                                      std::vector<std::string>* hashes) {
  std::vector<std::string> findings;
  std::string previous(kAuditGenesis);
  if (hashes != nullptr) hashes->assign(lines.size(), std::string());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string where = "regel " + std::to_string(i + 1) + ": ";
    AuditEntry entry;
    try {
      entry = parse_flat_json(lines[i]);
    } catch (const Error& e) {
      findings.push_back(where + e.what());
      continue;
    }
    const auto hash = entry.find("hash");
    const auto seq = entry.find("seq");
    if (hash == entry.end() || !std::holds_alternative<std::string>(hash->second)) {
      findings.push_back(where + "zonder \"hash\"");
      continue;
    }
    const std::string claimed = std::get<std::string>(hash->second);
    if (canonical_json(entry) != lines[i]) findings.push_back(where + "niet in canonieke vorm");
    if (seq == entry.end() || seq->second != AuditValue(static_cast<std::int64_t>(i + 1))) {
      findings.push_back(where + "volgnummer (\"seq\") is niet " + std::to_string(i + 1));
    }
    entry.erase(hash);
    const std::string computed = chain_hash(previous, canonical_json(entry));
    if (computed != claimed) {
      findings.push_back(where + "hash klopt niet met de vorige regel en de inhoud (verwacht " + computed + ")");
    }
    if (hashes != nullptr) (*hashes)[i] = claimed;
    previous = claimed;
  }
  head = previous;
  return findings;
}

std::string audit_text(const AuditEntry& entry, std::string_view key) {
  const auto it = entry.find(key);
  if (it == entry.end()) return {};
  if (const auto* text = std::get_if<std::string>(&it->second)) return *text;
  return std::to_string(std::get<std::int64_t>(it->second));
}

std::vector<std::string> jsonl_lines(std::string_view jsonl) {
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < jsonl.size();) {
    const std::size_t end = std::min(jsonl.find('\n', at), jsonl.size());
    lines.emplace_back(jsonl.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

}  // namespace sto
