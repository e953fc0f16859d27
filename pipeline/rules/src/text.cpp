#include "text.h"

#include <fstream>
#include <iterator>
#include <sstream>

#include "sto/diagnostics.h"

namespace sto::detail {

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

std::string collapse(std::string_view text) {
  std::string out;
  for (const auto& word : split_words(text)) out += (out.empty() ? "" : " ") + word;
  return out;
}

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string read_small_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error("kan " + file.string() + " niet openen");
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw Error("kan " + file.string() + " niet lezen");
  return bytes;
}

}  // namespace sto::detail
