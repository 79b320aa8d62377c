#include "tools/helper_path.h"

namespace pseg::cli {
namespace fs = std::filesystem;
namespace {

fs::path binary_dir(const std::string& argv0) {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path(argv0).parent_path() : self.parent_path();
}

fs::path libexec_dir(const fs::path& binary_dir) { return binary_dir.parent_path() / "libexec/portraitseg"; }

}  // namespace

std::optional<fs::path> find_helper(const std::string& name, const std::string& argv0) {
  const fs::path dir = binary_dir(argv0);
  for (const fs::path& candidate : {dir / name, libexec_dir(dir) / name})
    if (fs::is_regular_file(candidate)) return candidate;
  return std::nullopt;
}

std::string helper_not_found(const std::string& name, const std::string& argv0) {
  const fs::path dir = binary_dir(argv0);
  return name + " is neither in " + dir.string() + " nor in " + libexec_dir(dir).string();
}

}  // namespace pseg::cli
