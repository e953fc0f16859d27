// Writing a file so that it is either wholly there or not changed at all.
#pragma once

#include <filesystem>
#include <string_view>

namespace sto {

// Writes `bytes` to a temporary file beside `path`, fsyncs it, renames it over `path` and fsyncs
// the directory: after a crash `path` holds the old content or the new, never a part.
// Throws sto::Error (naming the path and the system's reason) and leaves no temporary file.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

}  // namespace sto
