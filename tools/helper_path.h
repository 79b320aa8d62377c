#pragma once
// Where the launcher finds what is installed with it (portraitseg-torch, the portraitseg-codecs module): beside the
// running binary (the build tree) or in ../libexec/portraitseg (an installation).
#include <filesystem>
#include <optional>
#include <string>

namespace pseg::cli {

// The first of the two places that holds `name`; nullopt when neither does. `argv0` stands in for the running
// binary's path where /proc/self/exe cannot be read.
std::optional<std::filesystem::path> find_helper(const std::string& name, const std::string& argv0 = "");

// "<name> is neither in <beside> nor in <libexec>".
std::string helper_not_found(const std::string& name, const std::string& argv0 = "");

}  // namespace pseg::cli
