// manifest.json: what the archive records of how it was made, written and read back.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Version.h>
#include <openssl/crypto.h>

#include <pugixml.hpp>
#include <sstream>

#include "archive_parts.h"

namespace sto::detail {

std::string manifest_json(const Manifest& m, const Verdict& v) {
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("format", "sto-archief 1");
  root.set("kenmerk", m.kenmerk);
  root.set("versie", m.versie);
  root.set("exported", m.exported);
  root.set("producer", m.producer);
  Poco::JSON::Object libraries(Poco::JSON_PRESERVE_KEY_ORDER);
  libraries.set("openssl", std::string(OpenSSL_version(OPENSSL_VERSION)));
  libraries.set("poco", std::to_string(POCO_VERSION >> 24) + "." + std::to_string((POCO_VERSION >> 16) & 0xFF) + "." +
                            std::to_string((POCO_VERSION >> 8) & 0xFF));
  libraries.set("pugixml", std::to_string(PUGIXML_VERSION / 1000) + "." + std::to_string(PUGIXML_VERSION % 1000 / 10));
  root.set("libraries", libraries);
  Poco::JSON::Object contract(Poco::JSON_PRESERVE_KEY_ORDER);
  contract.set("sha256", v.contract_sha256);
  contract.set("revision0_sha256", v.revision0_sha256);
  contract.set("revisions", static_cast<Poco::UInt64>(v.signatures.size()));
  root.set("contract", contract);
  Poco::JSON::Object audit(Poco::JSON_PRESERVE_KEY_ORDER);
  audit.set("head", m.audit_head);
  audit.set("length", static_cast<Poco::UInt64>(m.audit_length));
  root.set("audit", audit);
  root.set("ca_fingerprint", m.ca_fingerprint);
  Poco::JSON::Object files(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const char* name : kFiles) files.set(name, m.files.at(name));
  for (const auto& [name, sha] : m.files) {
    if (name.starts_with("wijzigingen/")) files.set(name, sha);
  }
  root.set("files", files);
  Poco::JSON::Array wijzigingen;
  for (const ManifestWijziging& w : m.wijzigingen) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("nummer", w.nummer);
    o.set("soort", w.soort);
    wijzigingen.add(o);
  }
  root.set("wijzigingen", wijzigingen);
  Poco::JSON::Object templates(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [name, sha] : m.templates) templates.set(name, sha);
  root.set("templates", templates);
  std::ostringstream out;
  root.stringify(out, 2);
  return out.str() + "\n";
}

Manifest read_manifest(const std::string& text) {
  Manifest m;
  try {
    const auto root = Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
    if (root->getValue<std::string>("format") != "sto-archief 1") throw Error("onbekend formaat");
    m.kenmerk = root->getValue<std::string>("kenmerk");
    m.versie = root->getValue<std::int64_t>("versie");
    m.exported = root->getValue<std::string>("exported");
    m.producer = root->getValue<std::string>("producer");
    if (const auto templates = root->getObject("templates")) {
      for (const auto& [name, value] : *templates) m.templates[name] = value.convert<std::string>();
    }
    const auto audit = root->getObject("audit");
    m.audit_head = audit->getValue<std::string>("head");
    m.audit_length = audit->getValue<std::size_t>("length");
    m.ca_fingerprint = root->getValue<std::string>("ca_fingerprint");
    const auto contract = root->getObject("contract");
    m.contract_sha256 = contract->getValue<std::string>("sha256");
    m.revision0_sha256 = contract->getValue<std::string>("revision0_sha256");
    m.revisions = contract->getValue<std::size_t>("revisions");
    const auto files = root->getObject("files");
    for (const auto& [name, value] : *files) m.files[name] = value.convert<std::string>();
    if (const auto wijzigingen = root->getArray("wijzigingen")) {
      for (std::size_t i = 0; i < wijzigingen->size(); ++i) {
        const auto o = wijzigingen->getObject(static_cast<unsigned>(i));
        if (!o || i >= 1000) throw Error("manifest.json: wijzigingen is geen lijst van wijzigingen");
        const auto nummer = o->getValue<std::int64_t>("nummer");
        const auto soort = o->getValue<std::string>("soort");
        if (nummer <= 0 || nummer >= kWijzigingMax || !parse_wijziging_soort(soort)) {
          throw Error("manifest.json: wijziging " + std::to_string(nummer) + " (" + soort + ") is geen wijziging");
        }
        m.wijzigingen.push_back({nummer, soort});
      }
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(std::string("manifest.json is onleesbaar: ") + e.what());
  }
  return m;
}

}  // namespace sto::detail
