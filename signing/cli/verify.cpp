// sto verify: the offline verdict on an archive folder or on one signed contract.
#include <cctype>
#include <iostream>

#include "command.h"
#include "sto/archive.h"
#include "sto/atomic_file.h"
#include "sto/verify.h"

namespace sto::cli {

namespace {

constexpr std::string_view kVerifyUsage =
    "Gebruik: sto verify ARCHIEFMAP [--ca-fingerprint VINGERAFDRUK] [--ca CA.pem] [--json]\n"
    "         sto verify CONTRACT.pdf --ca CA.pem [--agreement agreement.xml] [--audit audit.jsonl\n"
    "                    --audit-head HASH] [--tsa tsa.pem] [--json]\n"
    "\n"
    "Controleert offline (geen database, geen netwerk): revisie 0 is precies wat agreement.xml oplevert;\n"
    "per handtekening de /ByteRange, de CMS, signing-certificate-v2, de keten naar de CA, het tijdstempel\n"
    "en dat het certificaat de tekenbevoegde van het veld noemt; dat na revisie 0 alleen handtekeningen\n"
    "zijn toegevoegd; het audit-log tot de kop in het manifest; welke partners gebonden zijn; de ingangsdatum.\n"
    "\n"
    "  --ca-fingerprint V   de SHA-256-vingerafdruk van de CA zoals u die buiten het archief kreeg;\n"
    "                       zonder (of met een andere) is het oordeel hoogstens 'untrusted'\n"
    "  --ca CA.pem          uw eigen kopie van de CA (geldt als bevestigd); bij een map vervangt hij ca.pem\n"
    "  --agreement, --audit, --tsa   bij een losse PDF: de overeenkomst, het log en de TSA\n"
    "  --audit-head HASH    de kop van het log zoals u die buiten het log kreeg (manifest, bewijsdossier)\n"
    "  --json               het oordeel als JSON\n"
    "\n"
    "Oordeel: intact (afsluitcode 0), incomplete (niets geschonden, nog niet iedereen ondertekende),\n"
    "untrusted (niets geschonden, maar de CA of een deel is niet bevestigd), broken (iets klopt niet).\n"
    "Afsluitcode: 0 intact, 1 elk ander oordeel, 2 verkeerd gebruik, 3 omgevingsfout.\n";

int verify_run(std::span<const std::string_view> args) {
  std::string target, fingerprint, ca, agreement, audit, audit_head, tsa;
  bool json = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--json") {
      json = true;
    } else if (args[i] == "--ca-fingerprint") {
      fingerprint = option_value(args, i);
    } else if (args[i] == "--ca") {
      ca = option_value(args, i);
    } else if (args[i] == "--agreement") {
      agreement = option_value(args, i);
    } else if (args[i] == "--audit") {
      audit = option_value(args, i);
    } else if (args[i] == "--audit-head") {
      audit_head = option_value(args, i);
    } else if (args[i] == "--tsa") {
      tsa = option_value(args, i);
    } else if (args[i].starts_with("-")) {
      throw UsageError{"onbekende optie \"" + std::string(args[i]) + "\""};
    } else if (!target.empty()) {
      throw UsageError{"geef precies één archiefmap of PDF"};
    } else {
      target = std::string(args[i]);
    }
  }
  if (target.empty()) throw UsageError{"geef een archiefmap of een PDF"};
  if (!fingerprint.empty() && normalize_fingerprint(fingerprint).empty()) {
    throw UsageError{"--ca-fingerprint: verwacht 64 hex-cijfers (met of zonder dubbele punten)"};
  }

  Verdict v;
  if (std::filesystem::is_directory(target)) {
    if (!agreement.empty() || !audit.empty() || !audit_head.empty() || !tsa.empty()) {
      throw UsageError{
          "--agreement, --audit, --audit-head en --tsa horen bij een losse PDF; een archief heeft ze zelf"};
    }
    v = verify_archive(target, {fingerprint, ca.empty() ? "" : read_whole_file(ca), templates_dir()});
  } else {
    if (ca.empty()) throw UsageError{"bij een losse PDF hoort --ca CA.pem"};
    VerifyInput in;
    in.pdf = read_whole_file(target);
    in.ca_pem = read_whole_file(ca);
    in.ca_fingerprint = fingerprint.empty() ? certificate_fingerprint(in.ca_pem) : fingerprint;
    if (!agreement.empty()) in.agreement_xml = read_whole_file(agreement);
    if (!audit.empty()) in.audit_jsonl = read_whole_file(audit);
    if (!audit_head.empty() && audit.empty()) throw UsageError{"--audit-head hoort bij --audit"};
    if (!audit_head.empty()) {
      std::string head;
      for (const char c : audit_head) {
        if (c != ' ') head += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      if (head.size() != 64 || head.find_first_not_of("0123456789abcdef") != std::string::npos) {
        throw UsageError{"--audit-head: verwacht 64 hex-cijfers (de kop uit manifest.json of het bewijsdossier)"};
      }
      in.audit_head = head;
    }
    if (!tsa.empty()) in.tsa_pem = read_whole_file(tsa);
    in.templates_dir = templates_dir();
    v = verify(in);
  }
  std::cout << (json ? to_json(v) : describe(v));
  return v.oordeel == Oordeel::intact ? kOk : kInvalid;
}

}  // namespace

const Command kVerify{"verify", "controleer een archief of een ondertekend contract, offline", kVerifyUsage,
                      verify_run};

}  // namespace sto::cli
