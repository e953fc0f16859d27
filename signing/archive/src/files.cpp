// Reading an archive's files as the untrusted input they are, and what verification takes from
// them.
#include <set>

#include "archive_parts.h"
#include "sto/atomic_file.h"
#include "sto/audit.h"
#include "sto/diagnostics.h"
#include "sto/render.h"
#include "sto/rules.h"

namespace sto::detail {

namespace fs = std::filesystem;

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

namespace {

// Who made revision 0, when that is not this build; empty otherwise. (The templates and fonts it
// was made from are in the archive, so only the software can differ.)
std::string other_renderer(const Manifest& m) {
  return !m.producer.empty() && m.producer != producer() ? m.producer : std::string();
}

// A template file's name as the manifest lists it: "templates/" and a plain relative path, never
// one that climbs out of the archive.
bool plain_template_name(const std::string& name, const std::string& folder) {
  if (!name.starts_with(folder + "/") || name.find("..") != std::string::npos || name.find("//") != std::string::npos) {
    return false;
  }
  return name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-") ==
         std::string::npos;
}

}  // namespace

bool archive_templates_sound(const fs::path& dir, const Manifest& m, const std::string& folder,
                             std::vector<Bevinding>& problems) {
  constexpr std::size_t kMaxFiles = 64;
  const std::size_t before = problems.size();
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(dir / folder, ec))) {
    problems.push_back({"archief", folder, "ontbreekt of is geen gewone map"});
    return false;
  }
  std::set<std::string> present;
  for (auto it = fs::recursive_directory_iterator(dir / folder, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string name = folder + "/" + it->path().lexically_relative(dir / folder).generic_string();
    const fs::file_status status = it->symlink_status(ec);
    if (fs::is_directory(status)) continue;
    if (!fs::is_regular_file(status)) {
      problems.push_back({"archief", name, "is geen gewoon bestand (koppeling of apparaat)"});
    } else if (present.insert(name); present.size() > kMaxFiles) {
      problems.push_back({"archief", folder, "meer dan " + std::to_string(kMaxFiles) + " bestanden"});
      break;
    } else if (!m.templates.contains(name)) {
      problems.push_back({"archief", name, "staat niet in manifest.json"});
    }
  }
  if (ec) problems.push_back({"archief", folder, "onleesbaar: " + ec.message()});
  for (const auto& [name, recorded] : m.templates) {
    // The contract's templates/ and each amendment's are checked apart.
    const bool ours = name.starts_with(folder + "/");
    const bool other = name.starts_with("wijzigingen/") || (folder != "templates" && name.starts_with("templates/"));
    if (!ours && other) continue;
    if (!plain_template_name(name, folder)) {
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
  in.audit_timestamps = f.at("audit-tijdstempels.jsonl");
  in.ca_pem = f.at("ca.pem");
  in.tsa_pem = f.at("tsa.pem");
  in.other_renderer = other_renderer(m);
  in.templates_dir = templates_dir;
  return in;
}

std::string audit_timestamps_jsonl(const std::vector<AuditTimestampRecord>& timestamps) {
  std::string out;
  for (const AuditTimestampRecord& t : timestamps) {
    out += canonical_json({{"head", t.head}, {"seq", t.seq}, {"token", to_hex(t.token)}}) + "\n";
  }
  return out;
}

std::optional<Agreement> agreement_of(const std::string& xml, const fs::path& templates_dir) {
  Validation v = validate(xml, "agreement.xml", load_rule_sets(templates_dir / "regelingen"));
  if (!v.valid()) return std::nullopt;
  return std::move(v.agreement);
}

}  // namespace sto::detail
