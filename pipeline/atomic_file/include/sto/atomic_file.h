// Writing a file so that it is either wholly there or not changed at all.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace sto {

// A file written in full beside its destination and fsynced, not yet in place. commit() renames
// it over the destination and fsyncs the directory; a StagedFile destroyed without commit()
// removes its temporary file. Staging every output before committing any means a failure
// (a full disk, a missing directory) changes none of them.
// Throws sto::Error naming the path and the system's reason, and leaves no temporary file.
// Who may read the file: whoever the process's umask lets (0666 & ~umask, as any file it makes:
// 0644 under the usual 022, 0600 in a workspace, sto/workflow.h), or its owner only whatever the
// umask (0600, for private keys; the mode is set before any byte is written, so the key is
// never readable by others, not even briefly).
enum class Access { shared, owner_only };

class StagedFile {
 public:
  StagedFile(std::filesystem::path path, std::string_view bytes, Access access = Access::shared);
  StagedFile(StagedFile&& other) noexcept;
  StagedFile& operator=(StagedFile&&) = delete;
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;
  ~StagedFile();

  void commit();
  // Like commit(), but never replaces: throws sto::Error (and removes the temporary file) when
  // `path` already exists. For files that are written once, such as a signed revision.
  void commit_new();

 private:
  std::filesystem::path path_;
  std::string temp_;  // empty once committed or moved from
};

// Makes a rename or link of `path` durable: fsyncs the directory holding it (best effort).
void sync_parent_directory(const std::filesystem::path& path);

// The whole content of a file. Throws sto::Error naming the path when it cannot be read.
std::string read_whole_file(const std::filesystem::path& path);

// Stages and commits one file: after a crash `path` holds the old content or the new, never a part.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes, Access access = Access::shared);

}  // namespace sto
