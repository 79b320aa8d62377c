#include "data/file_walk.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <stdexcept>

namespace pseg {

const std::vector<std::string>& image_extensions() {
  static const std::vector<std::string> list = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"};
  return list;
}

bool is_image_file(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  const auto& list = image_extensions();
  return std::find(list.begin(), list.end(), ext) != list.end();
}

std::vector<std::filesystem::path> list_images(const std::filesystem::path& dir, bool recursive) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw std::runtime_error(dir.string() + ": directory not found");
  std::vector<fs::path> out;
  auto take = [&](const fs::directory_entry& e) {
    const std::string name = e.path().filename().string();
    if (!name.empty() && name[0] != '.' && e.is_regular_file() && is_image_file(e.path())) out.push_back(e.path());
  };
  if (recursive) {
    for (const auto& e : fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink)) take(e);
  } else {
    for (const auto& e : fs::directory_iterator(dir)) take(e);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::filesystem::path resolve(const std::string& root, const std::string& p) {
  const std::filesystem::path path(p);
  return (root.empty() || path.is_absolute()) ? path : std::filesystem::path(root) / path;
}

namespace {

// std::getline that refuses a line longer than kMaxListLine before reading all of it (a file without newlines).
bool read_bounded_line(std::istream& in, std::string& line, const std::filesystem::path& file, size_t number) {
  constexpr size_t kMaxListLine = 4096;
  line.clear();
  int c;
  while ((c = in.get()) != std::char_traits<char>::eof() && c != '\n') {
    if (line.size() == kMaxListLine)
      throw std::runtime_error(file.string() + ": line " + std::to_string(number) + " is longer than " +
                               std::to_string(kMaxListLine) + " characters");
    line.push_back(static_cast<char>(c));
  }
  return c != std::char_traits<char>::eof() || !line.empty();
}

}  // namespace

std::vector<std::string> read_list_lines(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot open list file");
  std::vector<std::string> lines;
  std::string line;
  for (size_t number = 1; read_bounded_line(in, line, file, number); ++number) {
    const auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos || line[b] == '#') continue;
    const auto e = line.find_last_not_of(" \t\r");
    lines.push_back(line.substr(b, e - b + 1));
  }
  return lines;
}

void require_option(const std::string& value, const std::string& what) {
  if (value.empty()) throw std::invalid_argument(what + ": missing required option");
}

}  // namespace pseg
