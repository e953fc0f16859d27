// Private: small text helpers for the rules module.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace sto::detail {

std::vector<std::string> split_words(std::string_view text);     // on runs of spaces
std::string collapse(std::string_view text);                     // runs of white space -> one space, trimmed
std::string lower_ascii(std::string_view text);                  // A-Z -> a-z, other bytes unchanged
std::string read_small_file(const std::filesystem::path& file);  // throws sto::Error

}  // namespace sto::detail
