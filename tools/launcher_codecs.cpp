// OpenCV's image codecs for the launcher (data/image_codecs.h): loaded from the portraitseg-codecs module the first
// time a photo needs them, so that --help and a JPEG turned into a PNG mask do not load the 140 libraries they bring.
#include <dlfcn.h>

#include <stdexcept>

#include "data/image_codecs.h"
#include "tools/helper_path.h"

namespace pseg {
namespace {

constexpr const char* kModule = "portraitseg-codecs.so";

// Loaded once; a failure is reported to each caller (the next call tries again).
const CodecFunctions& loaded() {
  static const CodecFunctions functions = [] {
    const auto path = cli::find_helper(kModule);
    if (!path) throw std::runtime_error("cannot load OpenCV's image codecs: " + cli::helper_not_found(kModule));
    void* module = dlopen(path->c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!module) throw std::runtime_error("cannot load OpenCV's image codecs: " + std::string(dlerror()));
    const auto* table = static_cast<const CodecFunctions*>(dlsym(module, "portraitseg_codecs"));
    if (!table) throw std::runtime_error(path->string() + ": not a portraitseg-codecs module");
    return *table;
  }();
  return functions;
}

}  // namespace

cv::Mat codecs_decode(const std::vector<unsigned char>& bytes, int flags) { return loaded().decode(bytes, flags); }

bool codecs_encode(const std::string& extension, const cv::Mat& image, std::vector<unsigned char>& out,
                   const std::vector<int>& params) {
  return loaded().encode(extension, image, out, params);
}

}  // namespace pseg
