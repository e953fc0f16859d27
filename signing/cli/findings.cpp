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

void print_text(const Validation& v, const std::string& file, Taal taal) {
  // A finding quotes the file's text, which may hold what a terminal acts on (C1 controls pass XML).
  for (const auto& finding : v.findings) std::cout << printable(describe(finding, taal)) << "\n";
  std::cout << printable(summary_line(v.findings, file, taal)) << "\n";
}

void print_json(const Validation& v, const std::string& file, Taal taal) {
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("file", file);
  root.set("valid", v.valid());
  root.set("errors", count(v.findings, Severity::error));
  root.set("warnings", count(v.findings, Severity::warning));
  Poco::JSON::Array list;
  for (const auto& f : v.findings) {
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

void print_validation(const Validation& v, const std::string& file, Taal taal, bool json) {
  if (json) {
    print_json(v, file, taal);
  } else {
    print_text(v, file, taal);
  }
}

}  // namespace sto::cli
