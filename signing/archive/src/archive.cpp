// Export and verification of an archive. Both build the bewijsdossier's data from the archive's
// files by the same function (dossier_data), so verification can re-render it byte for byte.
#include "sto/archive.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Version.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <map>
#include <pugixml.hpp>
#include <random>
#include <set>
#include <sstream>

#include "dossier.h"
#include "sto/atomic_file.h"
#include "sto/audit.h"
#include "sto/diagnostics.h"
#include "sto/pades.h"
#include "sto/render.h"
#include "sto/rules.h"

namespace sto {

namespace fs = std::filesystem;

namespace {

// The files an archive holds besides manifest.json, in the order the manifest lists them.
constexpr std::array<const char*, 7> kFiles = {"agreement.xml", "contract.pdf", "audit.jsonl",      "ca.pem",
                                               "tsa.pem",       "README.txt",   "bewijsdossier.pdf"};

using Files = std::map<std::string, std::string>;

const SignerIdentity& installation() {
  static const SignerIdentity who{"sto-installatie", "bewijsdossier", "sto", "", ""};
  return who;
}

// What the archive records of how it was made.
struct Manifest {
  std::string kenmerk;
  std::int64_t versie = 0;
  std::string exported;
  std::string producer;
  std::map<std::string, std::string> templates;  // "templates/…" -> SHA-256 hex: what revision 0 was made from
  std::string audit_head;
  std::size_t audit_length = 0;
  std::string ca_fingerprint;
  std::string contract_sha256;
  std::string revision0_sha256;
  std::size_t revisions = 0;
  std::map<std::string, std::string> files;  // name -> SHA-256 hex
};

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
  root.set("files", files);
  Poco::JSON::Object templates(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [name, sha] : m.templates) templates.set(name, sha);
  root.set("templates", templates);
  std::ostringstream out;
  root.stringify(out, 2);
  return out.str() + "\n";
}

// Reads manifest.json; throws sto::Error when it is not one.
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
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(std::string("manifest.json is onleesbaar: ") + e.what());
  }
  return m;
}

// The bewijsdossier's data: from the archive's files, the verdict on them and the manifest.
detail::DossierData dossier_data(const Agreement& a, const Verdict& v, const Files& f, const Manifest& m) {
  detail::DossierData d;
  d.regio = a.regio.nummer + " " + a.regio.naam;
  d.kenmerk = a.kenmerk;
  d.versie = std::to_string(a.versie);
  d.title = "Samenwerkingsovereenkomst Sterk Techniekonderwijs";
  d.agreement_sha256 = a.xml_sha256;
  d.revision0_sha256 = v.revision0_sha256;
  d.contract_sha256 = v.contract_sha256;
  d.contract_bytes = f.at("contract.pdf").size();
  d.revisions = static_cast<int>(v.signatures.size());
  d.audit_head = v.audit_head;
  d.audit_length = v.audit_length;
  d.ca_fingerprint = certificate_fingerprint(f.at("ca.pem"));
  d.tsa_fingerprint = certificate_fingerprint(f.at("tsa.pem"));
  d.effective = v.effective ? utc_text(*v.effective) : "";
  std::size_t valid = 0;
  for (const SignatureReport& s : v.signatures) valid += s.valid ? 1 : 0;
  std::size_t bound = 0;
  for (const PartnerReport& p : v.partners) bound += p.bound ? 1 : 0;
  d.verdict = std::to_string(valid) + " van " + std::to_string(v.expected_signatures) + " handtekeningen geldig; " +
              std::to_string(bound) + " van " + std::to_string(v.partners.size()) + " partners gebonden";
  d.exported = m.exported;
  d.producer = m.producer;
  for (const char* name : {"ca.pem", "tsa.pem", "README.txt"}) d.files.emplace_back(name, to_hex(sha256(f.at(name))));

  // Each line's events, per tekenbevoegde of this version, in log order.
  std::map<std::string, std::vector<detail::DossierEvent>> events;
  std::map<std::string, bool> declined;
  for (const std::string& line : jsonl_lines(f.at("audit.jsonl"))) {
    AuditEntry e;
    try {
      e = parse_flat_json(line);
    } catch (const Error&) {
      e.clear();  // verify reports the line
    }
    if (audit_text(e, "versie") != d.versie || audit_text(e, "tekenbevoegde").empty()) continue;
    detail::DossierEvent ev{
        audit_text(e, "time"), audit_text(e, "event"), audit_text(e, "ip"), audit_text(e, "user_agent"), {}};
    for (const char* key : {"reason", "message_id", "error"}) {
      if (!audit_text(e, key).empty()) ev.detail = audit_text(e, key);
    }
    const std::string who = audit_text(e, "tekenbevoegde");
    if (ev.event == audit_event::declined) declined[who] = true;
    events[who].push_back(std::move(ev));
  }

  std::map<std::string, const SignatureReport*> signatures;
  for (const SignatureReport& s : v.signatures) signatures[s.field] = &s;
  for (const Partner& p : a.partners) {
    const auto report =
        std::find_if(v.partners.begin(), v.partners.end(), [&](const PartnerReport& r) { return r.id == p.id; });
    d.partners.push_back({p.id, p.naam.value,
                          p.penvoerder ? "penvoerder" : std::string(p.soort ? to_string(*p.soort) : ""),
                          report != v.partners.end() && report->bound});
    for (const Tekenbevoegde& t : p.tekenbevoegden) {
      detail::DossierSignatory s;
      s.id = t.id;
      s.naam = t.naam;
      s.functie = t.functie;
      s.hoedanigheid = t.hoedanigheid ? std::string(to_string(*t.hoedanigheid)) : "";
      s.email = t.email;
      s.partner = p.naam.value;
      const auto sig = signatures.find(t.id);
      if (sig != signatures.end()) {
        const SignatureReport& r = *sig->second;
        s.state = r.valid ? "ondertekend" : "handtekening ongeldig";
        s.revision = r.revision;
        s.revision_sha256 = r.revision_sha256;
        s.certificate_sha256 = r.certificate_sha256;
        s.certificate_subject = r.subject;
        s.claimed_time = utc_text(r.claimed);
        s.timestamp = r.timestamp != 0 ? utc_text(r.timestamp) : "";
      } else {
        s.state = declined[t.id] ? "geweigerd" : "niet ondertekend";
      }
      s.events = std::move(events[t.id]);
      // A report for people: a long run of repeated events (reminders, views: anyone can make the
      // log long) is shortened to its first and last 20, with every act in between (signed,
      // declined, ...) kept; audit.jsonl keeps every one.
      constexpr std::size_t kEnds = 20;
      if (s.events.size() > 2 * kEnds) {
        std::vector<detail::DossierEvent> shown;
        std::size_t skipped = 0;
        for (std::size_t i = 0; i < s.events.size(); ++i) {
          const std::string& kind = s.events[i].event;
          const bool repeated = kind == audit_event::reminded || kind == audit_event::viewed ||
                                kind == audit_event::pdf_downloaded || kind == audit_event::invited;
          if (i < kEnds || i >= s.events.size() - kEnds || !repeated) {
            if (skipped > 0) {
              shown.push_back({"", "…", "", "", std::to_string(skipped) + " gebeurtenissen meer: zie audit.jsonl"});
              skipped = 0;
            }
            shown.push_back(std::move(s.events[i]));
          } else {
            ++skipped;
          }
        }
        s.events = std::move(shown);
      }
      d.signatories.push_back(std::move(s));
    }
  }
  return d;
}

std::string readme(const fs::path& templates_dir, const Agreement& a, const Manifest& m, std::size_t signatures) {
  std::string text = read_whole_file(templates_dir / "archief" / "README.txt");
  const std::map<std::string, std::string> values = {{"kenmerk", a.kenmerk},
                                                     {"versie", std::to_string(a.versie)},
                                                     {"regio", a.regio.nummer + " " + a.regio.naam},
                                                     {"exported", m.exported},
                                                     {"producer", m.producer},
                                                     {"ca_fingerprint", m.ca_fingerprint},
                                                     {"handtekeningen", std::to_string(signatures)}};
  for (const auto& [key, value] : values) {
    const std::string placeholder = "${" + key + "}";
    for (std::size_t at = text.find(placeholder); at != std::string::npos;
         at = text.find(placeholder, at + value.size())) {
      text.replace(at, placeholder.size(), value);
    }
  }
  return text;
}

// A file of the archive, as long as it is a plain file of a plausible size: an archive is input,
// and a FIFO (which would block), a link to /dev/zero or a huge file must be a finding, not a hang.
std::string read_archive_file(const fs::path& dir, const std::string& name) {
  const std::uintmax_t limit = name == "contract.pdf" ? 1024u * 1024 * 1024 : 256u * 1024 * 1024;
  std::error_code ec;
  const fs::file_status status = fs::symlink_status(dir / name, ec);
  if (ec || !fs::exists(status)) throw Error("ontbreekt");
  if (!fs::is_regular_file(status)) throw Error("is geen gewoon bestand (map, koppeling of apparaat)");
  const std::uintmax_t size = fs::file_size(dir / name, ec);
  if (ec || size > limit) throw Error("is onleesbaar of groter dan " + std::to_string(limit >> 20) + " MiB");
  try {
    return read_whole_file(dir / name);
  } catch (const Error&) {
    throw Error("is onleesbaar");
  }
}

// Who made revision 0, when that is not this build; empty otherwise. (The templates and fonts it
// was made from are in the archive, so only the software can differ.)
std::string other_renderer(const Manifest& m) {
  return !m.producer.empty() && m.producer != producer() ? m.producer : std::string();
}

// A template file's name as the manifest lists it: "templates/" and a plain relative path, never
// one that climbs out of the archive.
bool plain_template_name(const std::string& name) {
  if (!name.starts_with("templates/") || name.find("..") != std::string::npos || name.find("//") != std::string::npos) {
    return false;
  }
  return name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-") ==
         std::string::npos;
}

// Whether the archive's templates/ can be rendered from: every entry, at any depth, a plain file
// or folder (no link, FIFO or device: validation reads every regulation file it finds), exactly
// the files manifest.json lists, each as recorded. Adds a finding per problem to `problems`.
bool archive_templates_sound(const fs::path& dir, const Manifest& m, std::vector<Bevinding>& problems) {
  constexpr std::size_t kMaxFiles = 64;
  const std::size_t before = problems.size();
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(dir / "templates", ec))) {
    problems.push_back({"archief", "templates", "ontbreekt of is geen gewone map"});
    return false;
  }
  std::set<std::string> present;
  for (auto it = fs::recursive_directory_iterator(dir / "templates", ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = "templates/" + it->path().lexically_relative(dir / "templates").generic_string();
    const fs::file_status status = it->symlink_status(ec);
    if (fs::is_directory(status)) continue;
    if (!fs::is_regular_file(status)) {
      problems.push_back({"archief", name, "is geen gewoon bestand (koppeling of apparaat)"});
    } else if (present.insert(name); present.size() > kMaxFiles) {
      problems.push_back({"archief", "templates", "meer dan " + std::to_string(kMaxFiles) + " bestanden"});
      break;
    } else if (!m.templates.contains(name)) {
      problems.push_back({"archief", name, "staat niet in manifest.json"});
    }
  }
  if (ec) problems.push_back({"archief", "templates", "onleesbaar: " + ec.message()});
  for (const auto& [name, recorded] : m.templates) {
    if (!plain_template_name(name)) {
      problems.push_back({"archief", name, "geen toegestane plaats voor een template"});
    } else if (!present.contains(name)) {
      problems.push_back({"archief", name, "ontbreekt"});
    } else {
      try {
        const std::string actual = to_hex(sha256(read_archive_file(dir, name)));
        if (actual != recorded) {
          problems.push_back(
              {"archief", name, "is gewijzigd: SHA-256 " + actual + ", manifest.json noemt " + recorded});
        }
      } catch (const Error& e) {
        problems.push_back({"archief", name, e.what()});
      }
    }
  }
  return problems.size() == before;
}

VerifyInput contract_input(const Files& f, const Manifest& m, const fs::path& templates_dir) {
  VerifyInput in;
  in.pdf = f.at("contract.pdf");
  in.agreement_xml = f.at("agreement.xml");
  in.audit_jsonl = f.at("audit.jsonl");
  in.audit_head = m.audit_head;
  in.ca_pem = f.at("ca.pem");
  in.tsa_pem = f.at("tsa.pem");
  in.other_renderer = other_renderer(m);
  in.templates_dir = templates_dir;
  return in;
}

std::optional<Agreement> agreement_of(const std::string& xml, const fs::path& templates_dir) {
  Validation v = validate(xml, "agreement.xml", load_rule_sets(templates_dir / "regelingen"));
  if (!v.valid()) return std::nullopt;
  return std::move(v.agreement);
}

// Revision 0 of the bewijsdossier signed by the installation, in a scratch chain under `scratch`.
std::string signed_dossier(const std::string& revision0, Werkruimte& w, const fs::path& scratch) {
  SignedContract chain = SignedContract::create(scratch, revision0);
  chain.sign({detail::kDossierField, installation(), w.now()}, w.pki(), w.tsa());
  std::string pdf = chain.pdf();
  fs::remove_all(scratch);
  return pdf;
}

}  // namespace

ExportResult export_archive(Werkruimte& w, const std::string& kenmerk, const fs::path& dir_as_given,
                            const fs::path& templates_dir) {
  // "-o archief/" names the folder "archief", not an empty name inside it.
  fs::path dir = fs::absolute(dir_as_given).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();
  std::error_code ec;
  if (fs::exists(dir) && !fs::is_empty(dir, ec)) throw Error(dir.string() + " bestaat al en is niet leeg");
  if (!w.store().latest_version(kenmerk)) throw Refusal("geen overeenkomst met kenmerk " + kenmerk);

  // A snapshot: the agreement's lock keeps signing acts out while the files are read, and the
  // contract is cut to the revisions the database recorded (a revision written by an act whose
  // commit failed is on disk, but in no record; the next act removes it).
  Files f;
  Manifest m;
  fs::path contract_dir;
  {
    auto lock = w.store().write(kenmerk);
    const auto version = lock.latest_version();
    if (!version) throw Refusal("geen overeenkomst met kenmerk " + kenmerk);
    f["agreement.xml"] = lock.agreement_xml(version->id);
    // Read on the lock's own connection and from the files: another connection could be the one
    // this process does not have (database.connections = 1).
    contract_dir = w.dir() / version->contract_dir;
    const SignedContract chain = SignedContract::open(contract_dir);
    std::string pdf = chain.pdf();
    const auto recorded = static_cast<std::size_t>(version->revisions);
    if (static_cast<std::size_t>(chain.revisions()) > recorded) {  // rare: only then find where to cut
      const SignedPdf read = read_signed_pdf(pdf);
      pdf.resize(recorded == 0 ? read.revision0_size
                               : read.revisions[recorded - 1].offset + read.revisions[recorded - 1].size);
    }
    f["contract.pdf"] = std::move(pdf);
    for (const AuditRecord& r : lock.audit()) {
      f["audit.jsonl"] += jsonl_line(r) + "\n";
      m.audit_head = r.hash;
      ++m.audit_length;
    }
  }
  if (m.audit_length == 0) m.audit_head = std::string(kAuditGenesis);
  f["ca.pem"] = w.pki().ca_pem();
  f["tsa.pem"] = w.tsa().certificate_pem();  // the TSA the signatures used: local, or external
  // The templates, fonts and regulations the contract was made from: the copy kept when it was
  // opened; for a version opened before copies were kept, the installed ones.
  const fs::path made_from =
      fs::exists(contract_dir / kTemplatesCopy) ? contract_dir / kTemplatesCopy : fs::path(templates_dir);
  const auto agreement = agreement_of(f["agreement.xml"], made_from);
  if (!agreement) throw Error("de opgeslagen agreement.xml van " + kenmerk + " is niet (meer) geldig met deze regels");
  for (const fs::path& file : contract_inputs(made_from, agreement->taal)) {
    const std::string name = "templates/" + file.generic_string();
    f[name] = read_whole_file(made_from / file);
    m.templates[name] = to_hex(sha256(f[name]));
  }
  m.kenmerk = kenmerk;
  m.versie = agreement->versie;
  m.exported = utc_text(w.now());
  m.producer = producer();
  m.ca_fingerprint = normalize_fingerprint(w.ca_fingerprint());

  VerifyInput in = contract_input(f, m, made_from);
  in.ca_fingerprint = m.ca_fingerprint;
  ExportResult result{verify(in), 0};
  // The installation signs what the archive says: never a contract it finds broken itself.
  if (result.verdict.oordeel == Oordeel::broken) {
    std::string why;
    for (const Bevinding& b : result.verdict.findings) {
      if (b.effect == Oordeel::broken && why.size() < 600)
        why += "\n  [" + b.check + "] " + b.subject + ": " + b.message;
    }
    throw Refusal("het contract van " + kenmerk + " is niet ongeschonden; geen archief geschreven:" + why);
  }

  // Staged beside `dir`, renamed into place: never half an archive under its name.
  const fs::path parent = fs::absolute(dir).parent_path();
  fs::create_directories(parent);
  const fs::path staging = parent / ("." + dir.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(std::random_device{}()));
  fs::create_directory(staging);
  // The archive holds e-mail and IP addresses: the owner hands it over, nobody else reads it here.
  fs::permissions(staging, fs::perms::owner_all, fs::perm_options::replace);
  try {
    f["README.txt"] = readme(templates_dir, *agreement, m, result.verdict.signatures.size());
    const std::string dossier0 = detail::render_dossier(dossier_data(*agreement, result.verdict, f, m), made_from);
    f["bewijsdossier.pdf"] = signed_dossier(dossier0, w, staging / ".bewijsdossier");
    // contract.pdf was hashed in the verdict's one pass: not again.
    for (const char* name : kFiles) {
      m.files[name] =
          name == std::string_view("contract.pdf") ? result.verdict.contract_sha256 : to_hex(sha256(f.at(name)));
    }
    f["manifest.json"] = manifest_json(m, result.verdict);
    for (const auto& [name, bytes] : f) {
      fs::create_directories((staging / name).parent_path());
      write_file_atomically(staging / name, bytes, Access::owner_only);
    }
    if (fs::exists(dir)) fs::remove(dir);  // empty, checked above
    fs::rename(staging, dir);
    result.files = f.size();
    sync_parent_directory(dir);
  } catch (...) {
    fs::remove_all(staging, ec);
    throw;
  }
  return result;
}

Verdict verify_archive(const fs::path& dir, const ArchiveCheck& check) {
  std::vector<Bevinding> problems;
  std::vector<std::string> notes;
  Files f;
  Manifest m;
  std::string manifest;
  const auto check_recorded = [&](const std::string& name, const std::string& actual) {
    const auto recorded = m.files.find(name);
    if (recorded == m.files.end()) {
      if (!m.files.empty()) problems.push_back({"archief", name, "staat niet in manifest.json"});
    } else if (recorded->second != actual) {
      problems.push_back(
          {"archief", name, "is gewijzigd: SHA-256 " + actual + ", manifest.json noemt " + recorded->second});
    }
  };
  try {
    manifest = read_archive_file(dir, "manifest.json");
    m = read_manifest(manifest);
  } catch (const Error& e) {
    problems.push_back({"archief", "manifest.json", e.what()});
  }
  for (const char* name : kFiles) {
    try {
      f[name] = read_archive_file(dir, name);
    } catch (const Error& e) {
      problems.push_back({"archief", name, e.what()});
      f[name] = "";
      continue;
    }
    // contract.pdf is hashed once, by the verdict's reading (below).
    if (name != std::string_view("contract.pdf")) check_recorded(name, to_hex(sha256(f[name])));
  }

  // The templates the contract was made from, as the archive carries them; an archive without
  // them (none so far) is rendered with the installed ones.
  fs::path templates = check.templates_dir;
  if (m.templates.empty()) {
    notes.push_back("het archief bevat geen templates: revisie 0 is gerenderd met de geïnstalleerde");
  } else if (archive_templates_sound(dir, m, problems)) {
    templates = dir / "templates";
  }
  VerifyInput in = contract_input(f, m, templates);
  if (m.audit_head.empty()) in.audit_head.reset();
  if (!check.ca_pem.empty()) in.ca_pem = check.ca_pem;
  // The auditor's own copy of the CA is trusted as such.
  in.ca_fingerprint = check.ca_fingerprint.empty() ? certificate_fingerprint(check.ca_pem) : check.ca_fingerprint;
  Verdict v = verify(in);
  if (!f["contract.pdf"].empty()) check_recorded("contract.pdf", v.contract_sha256);
  for (Bevinding& p : problems) add_finding(v, std::move(p));
  v.notes.insert(v.notes.end(), notes.begin(), notes.end());

  // What the manifest says of the files must be what they are: an auditor may read it alone.
  const auto agreement = agreement_of(f["agreement.xml"], templates);
  if (!manifest.empty() && !m.files.empty()) {
    const auto compare = [&](const char* what, const std::string& said, const std::string& is) {
      if (said != is)
        add_finding(v,
                    {"archief", "manifest.json", std::string(what) + ": noemt " + said + ", het archief heeft " + is});
    };
    if (agreement) {
      compare("kenmerk", m.kenmerk, agreement->kenmerk);
      compare("versie", std::to_string(m.versie), std::to_string(agreement->versie));
    }
    compare("ca_fingerprint", normalize_fingerprint(m.ca_fingerprint), certificate_fingerprint(f["ca.pem"]));
    compare("contract.sha256", m.contract_sha256, v.contract_sha256);
    compare("contract.revision0_sha256", m.revision0_sha256, v.revision0_sha256);
    compare("contract.revisions", std::to_string(m.revisions), std::to_string(v.signatures.size()));
    compare("audit.length", std::to_string(m.audit_length), std::to_string(v.audit_length));
  }

  // The bewijsdossier: what the archive proves, re-rendered, and signed by the installation.
  // Not from a log whose chain is broken: what it would print is already known to be false (and
  // such a log may be made huge to make the report so).
  const bool log_broken = std::any_of(v.findings.begin(), v.findings.end(), [](const Bevinding& b) {
    return b.check == "audit" && b.effect == Oordeel::broken;
  });
  if (log_broken) {
    add_finding(v, {"bewijsdossier", "bewijsdossier.pdf", "niet gecontroleerd: het audit-log is niet heel"});
  } else if (!agreement || f["bewijsdossier.pdf"].empty()) {
    add_finding(
        v, {"bewijsdossier", "bewijsdossier.pdf", "niet te controleren (geen geldige agreement.xml of geen dossier)"});
  } else {
    try {
      const std::string dossier0 = detail::render_dossier(dossier_data(*agreement, v, f, m), templates);
      for (std::string& p :
           verify_installation_document(f["bewijsdossier.pdf"], dossier0, detail::kDossierField, installation(),
                                        in.ca_pem, in.tsa_pem, !in.other_renderer.empty())) {
        add_finding(v, {"bewijsdossier", "bewijsdossier.pdf", std::move(p)});
      }
    } catch (const Error& e) {
      add_finding(v, {"bewijsdossier", "bewijsdossier.pdf", std::string("niet na te maken: ") + e.what()});
    }
  }
  if (v.oordeel == Oordeel::broken) v.effective.reset();
  return v;
}

}  // namespace sto
