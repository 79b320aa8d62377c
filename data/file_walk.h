#pragma once
// Directory listing and path helpers shared by the format readers.
#include <filesystem>
#include <string>
#include <vector>

namespace pseg {

// The image file types every reader, `synth --backgrounds` and `test DIR` accept (lower case, with the dot):
// .png .jpg .jpeg .bmp .tif .tiff .webp, all decoded by OpenCV.
const std::vector<std::string>& image_extensions();
// Whether `p` has one of image_extensions() (any case).
bool is_image_file(const std::filesystem::path& p);

// Image files in `dir`, sorted; skips hidden files and macOS "._" resource forks. Throws std::runtime_error
// "<dir>: directory not found" when `dir` is not a directory.
std::vector<std::filesystem::path> list_images(const std::filesystem::path& dir, bool recursive);

// `p` when absolute or `root` is empty, else root / p.
std::filesystem::path resolve(const std::string& root, const std::string& p);

// Non-empty, non-comment ('#') lines of a text file, trimmed; throws std::runtime_error naming the file.
std::vector<std::string> read_list_lines(const std::filesystem::path& file);

// Throws std::invalid_argument "<what>: missing required option" when `value` is empty.
void require_option(const std::string& value, const std::string& what);

}  // namespace pseg
