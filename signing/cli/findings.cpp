// Printing a validation's findings, for people and for machines.
#include <iostream>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include "command.h"
#include "sto/utf8.h"

namespace sto::cli {

namespace {

std::size_t count(const Findings& findings, Severity severity) {
  std::size_t n = 0;
  for (const auto& f : findings) n += f.severity == severity ? 1 : 0;
  return n;
}

void print_text(const Findings& findings, const std::string& file, Taal taal) {
  // A finding quotes the file's text, which may hold what a terminal acts on (C1 controls pass XML).
  for (const auto& finding : findings) std::cout << printable(describe(finding, taal)) << "\n";
  std::cout << printable(summary_line(findings, file, taal)) << "\n";
}

void print_json(const Findings& findings, const std::string& file, Taal taal) {
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("file", file);
  root.set("valid", !has_errors(findings));
  root.set("errors", count(findings, Severity::error));
  root.set("warnings", count(findings, Severity::warning));
  Poco::JSON::Array list;
  for (const auto& f : findings) {
    Poco::JSON::Object item(Poco::JSON_PRESERVE_KEY_ORDER);
    item.set("severity", f.severity == Severity::error ? "error" : "warning");
    item.set("rule", f.rule);
    item.set("file", f.file);
    item.set("line", f.line);
    if (!f.cell.empty()) {
      item.set("sheet", f.sheet);
      item.set("cell", f.cell);
    }
    item.set("element", f.element);
    item.set("subject", f.subject);
    item.set("message", message(f, taal));
    list.add(item);
  }
  root.set("findings", list);
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(root, out, 2);
  std::cout << out.str() << "\n";
}

}  // namespace

void print_findings(const Findings& findings, const std::string& file, Taal taal, bool json) {
  if (json) {
    print_json(findings, file, taal);
  } else {
    print_text(findings, file, taal);
  }
}

void print_validation(const Validation& v, const std::string& file, Taal taal, bool json) {
  print_findings(v.findings, file, taal, json);
}

}  // namespace sto::cli
