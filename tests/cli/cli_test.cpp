// `sto` as a user runs it: exit codes, messages, JSON, on every sample.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "run.h"

namespace sto::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

const std::string kSource = STO_SOURCE_DIR;

struct Expected {
  std::string file;
  int exit_code = 0;
  std::multiset<std::string> findings;  // "rule:line"
};

std::vector<Expected> expectations() {
  std::ifstream in(kSource + "/samples/invalid/verwacht.txt");
  std::vector<Expected> out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    Expected e;
    words >> e.file >> e.exit_code;
    for (std::string f; words >> f;) e.findings.insert(f);
    out.push_back(e);
  }
  return out;
}

Poco::JSON::Object::Ptr parse_json(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::multiset<std::string> json_findings(const Poco::JSON::Object::Ptr& root) {
  std::multiset<std::string> out;
  const auto list = root->getArray("findings");
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto f = list->getObject(static_cast<unsigned>(i));
    out.insert(f->getValue<std::string>("rule") + ":" + std::to_string(f->getValue<int>("line")));
  }
  return out;
}

TEST(Cli, ValidSamplesAndTheSpecExampleExitZero) {
  for (const std::string file : {"/samples/regio-klein-8.xml", "/samples/regio-middel-25.xml",
                                 "/samples/regio-groot-108.xml", "/../shared/spec/example.xml"}) {
    const auto r = run_sto({"validate", kSource + file});
    EXPECT_EQ(r.exit_code, 0) << file << "\n" << r.out << r.err;
    EXPECT_EQ(r.out, kSource + file + ": geldig\n");
    EXPECT_THAT(r.err, IsEmpty());
  }
}

TEST(Cli, EveryInvalidSampleGivesExactlyItsExpectedFindings) {
  const auto expected = expectations();
  ASSERT_GE(expected.size(), 20u);
  for (const auto& e : expected) {
    const std::string path = kSource + "/samples/invalid/" + e.file;
    const auto r = run_sto({"validate", "--json", path});
    EXPECT_EQ(r.exit_code, e.exit_code) << e.file << "\n" << r.out << r.err;
    ASSERT_FALSE(r.out.empty()) << e.file << r.err;
    const auto root = parse_json(r.out);
    EXPECT_EQ(json_findings(root), e.findings) << e.file << "\n" << r.out;
    EXPECT_EQ(root->getValue<bool>("valid"), e.exit_code == 0) << e.file;
  }
}

TEST(Cli, EveryInvalidSampleIsListedInTheExpectations) {
  std::set<std::string> listed;
  for (const auto& e : expectations()) listed.insert(e.file);
  for (const auto& entry : fs::directory_iterator(kSource + "/samples/invalid")) {
    if (entry.path().extension() == ".xml") {
      EXPECT_TRUE(listed.contains(entry.path().filename().string())) << entry.path();
    }
  }
}

TEST(Cli, TextOutputNamesFileLineRuleAndElement) {
  const std::string path = kSource + "/samples/invalid/r8-kvk-zeven-cijfers.xml";
  const auto r = run_sto({"validate", path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, path +
                       ":58: fout [R8.kvk] <kvk> (p6) Regel 8: KvK-nummer \"0501234\" moet bestaan uit 8 cijfers.\n" +
                       path + ": ongeldig, 1 fout\n");
}

TEST(Cli, SpeaksEnglishOnRequest) {
  const std::string path = kSource + "/samples/invalid/r7-activiteitenplan-ontbreekt.xml";
  const auto r = run_sto({"validate", "--lang", "en", path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr(":7: error [R7.verwijzing] <verwijzingen> Rule 7: the reference to the document of "
                               "soort activiteitenplan is missing."));
  EXPECT_THAT(r.out, HasSubstr(": invalid, 1 error\n"));
}

TEST(Cli, WarningsLeaveAFileValid) {
  const fs::path file = fs::temp_directory_path() / "sto-cli-waarschuwing.xml";
  std::ifstream in(kSource + "/samples/regio-klein-8.xml");
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  text.replace(text.find("nummer=\"30512\""), 14, "nummer=\"3051\"");
  std::ofstream(file) << text;
  const auto r = run_sto({"validate", file.string()});
  fs::remove(file);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("waarschuwing [R8.bevoegd-gezag-nummer]"));
  EXPECT_THAT(r.out, HasSubstr(": geldig (1 waarschuwing)\n"));
}

TEST(Cli, SurvivesSixteenMebibytesOfNesting) {
  const fs::path file = fs::temp_directory_path() / "sto-cli-nesting.xml";
  {
    std::ofstream out(file, std::ios::binary);
    const std::string head =
        "<samenwerkingsovereenkomst xmlns=\"urn:sto:samenwerkingsovereenkomst:1\" kenmerk=\"a\" versie=\"1\">";
    const std::size_t depth = (16u * 1024u * 1024u - 200u) / 21u;
    out << head;
    for (std::size_t i = 0; i < depth; ++i) out << "<partners>";
    for (std::size_t i = 0; i < depth; ++i) out << "</partners>";
    out << "</samenwerkingsovereenkomst>";
  }
  const auto r = run_sto({"validate", "--json", file.string()});
  fs::remove(file);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(json_findings(parse_json(r.out)).contains("xml.misvormd:1")) << r.out;
}

TEST(Cli, SixteenMebibytesOfFindingsGiveAThousandAndStop) {
  const fs::path file = fs::temp_directory_path() / "sto-cli-bevindingen.xml";
  {
    std::ofstream out(file, std::ios::binary);
    out << "<samenwerkingsovereenkomst xmlns=\"urn:sto:samenwerkingsovereenkomst:1\" kenmerk=\"a\" versie=\"1\">";
    for (std::size_t i = 0; i < (16u * 1024u * 1024u - 200u) / 4u; ++i) out << "<x/>";
    out << "</samenwerkingsovereenkomst>";
  }
  const auto r = run_sto({"validate", "--json", file.string()});
  fs::remove(file);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto root = parse_json(r.out);
  const auto list = root->getArray("findings");
  ASSERT_EQ(list->size(), 1001u);
  EXPECT_EQ(list->getObject(1000)->getValue<std::string>("rule"), "bevindingen.te-veel");
}

TEST(Cli, RefusesAFileOverSixteenMebibytes) {
  const fs::path file = fs::temp_directory_path() / "sto-cli-groot.xml";
  std::ofstream(file, std::ios::binary) << std::string(16u * 1024u * 1024u + 1u, ' ');
  const auto r = run_sto({"validate", file.string()});
  fs::remove(file);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("fout [bestand.te-groot]"));
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(run_sto({}).exit_code, 2);
  EXPECT_EQ(run_sto({"validate"}).exit_code, 2);
  EXPECT_EQ(run_sto({"validate", "--frob", "a.xml"}).exit_code, 2);
  EXPECT_EQ(run_sto({"validate", "a.xml", "b.xml"}).exit_code, 2);
  EXPECT_EQ(run_sto({"validate", "--lang", "de", "a.xml"}).exit_code, 2);
  const auto unknown = run_sto({"frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("onbekende opdracht \"frobnicate\""));
}

TEST(Cli, AnUnreadableFileIsAnEnvironmentError) {
  const auto r = run_sto({"validate", "/nonexistent/overeenkomst.xml"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, StartsWith("sto: kan /nonexistent/overeenkomst.xml niet openen"));
  EXPECT_THAT(r.out, IsEmpty());
}

TEST(Cli, MissingRegulationDataIsAnEnvironmentError) {
  const fs::path empty = fs::temp_directory_path() / "sto-cli-lege-templates";
  fs::create_directories(empty / "regelingen");
  const auto r = run_sto({"validate", kSource + "/samples/regio-klein-8.xml"}, {"STO_TEMPLATES=" + empty.string()});
  fs::remove_all(empty);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("geen regelingen gevonden"));
}

TEST(Cli, HelpListsOnlyWorkingCommands) {
  const auto r = run_sto({"help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("  validate "));
  EXPECT_THAT(r.out, HasSubstr("  render "));
  for (const char* now : {"  open ", "  invite ", "  serve ", "  status ", "  remind ", "  revoke ", "  demo ",
                          "  export ", "  verify ", "  sign "}) {
    EXPECT_THAT(r.out, HasSubstr(now));
  }
  const auto verb = run_sto({"validate", "--help"});
  EXPECT_EQ(verb.exit_code, 0);
  EXPECT_THAT(verb.out, StartsWith("Gebruik: sto validate"));
  EXPECT_EQ(run_sto({"help", "validate"}).out, verb.out);
  EXPECT_THAT(run_sto({"--version"}).out, StartsWith("sto "));
}

TEST(Cli, TheGeneratedSamplesAreTheGeneratorsOutput) {
  const fs::path dir = fs::temp_directory_path() / "sto-cli-generate";
  fs::create_directories(dir);
  for (const auto& [partners, name] :
       {std::pair{"25", "regio-middel-25.xml"}, std::pair{"108", "regio-groot-108.xml"}}) {
    const auto r = run_program({"/usr/bin/python3", kSource + "/samples/generate.py", "--partners", partners, "--seed",
                                partners, "-o", (dir / name).string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::ifstream a(dir / name, std::ios::binary);
    std::ifstream b(kSource + "/samples/" + name, std::ios::binary);
    const std::string generated{std::istreambuf_iterator<char>(a), std::istreambuf_iterator<char>()};
    const std::string committed{std::istreambuf_iterator<char>(b), std::istreambuf_iterator<char>()};
    EXPECT_TRUE(generated == committed) << name << " differs from samples/generate.py's output";
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sto::test
