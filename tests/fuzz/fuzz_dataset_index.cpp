// Dataset index files: the input's first byte picks the format (list, voc, eg1800 in both layouts, supervisely),
// the rest is its list file or annotation JSON. The dataset root holds one valid image and mask under every
// format's names, so listed pairs that resolve inside it are decoded too.
#include <opencv2/imgcodecs.hpp>

#include "data/format_reader.h"
#include "tests/fuzz/fuzz_main.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

namespace fs = std::filesystem;

// The dataset root with an 8×6 image and a 0/1 mask under each format's directory names.
const fs::path& dataset_root() {
  static const fs::path root = [] {
    const fs::path r = pseg::fuzz::scratch() / "dataset";
    cv::Mat image(6, 8, CV_8UC3, cv::Scalar(10, 120, 200)), mask(6, 8, CV_8UC1, cv::Scalar(0));
    mask(cv::Rect(2, 1, 4, 4)).setTo(1);
    const std::pair<const char*, const cv::Mat*> files[] = {
        {"images/a.png", &image},          {"masks/a.png", &mask},       {"JPEGImages/a.jpg", &image},
        {"SegmentationClass/a.png", &mask}, {"Images/a.png", &image},     {"Labels/a.png", &mask},
        {"images_data_crop/00001.jpg", &image}, {"GT_png/00001_mask.png", &mask}, {"ds/img/a.png", &image}};
    for (const auto& [name, m] : files) {
      fs::create_directories((r / name).parent_path());
      cv::imwrite((r / name).string(), *m);
    }
    return r;
  }();
  return root;
}

bool inside_root(const std::string& path) {
  const std::string root = dataset_root().string() + "/";
  const std::string p = fs::weakly_canonical(path).string();
  return p.compare(0, root.size(), root) == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  pseg::SourceConfig source;
  source.root = dataset_root().string();
  switch (data[0] % 5) {
    case 0: source.format = "list"; source.list = "fuzz_list.txt"; break;
    case 1: source.format = "voc"; source.list = "fuzz_list.txt"; break;
    case 2: source.format = "eg1800"; source.list = "fuzz_list.txt"; break;
    case 3: source.format = "eg1800"; source.layout = "sinet"; source.list = "fuzz_list.txt"; break;
    default: source.format = "supervisely"; break;
  }
  const fs::path index = source.format == "supervisely" ? fs::path("ds/ann/a.png.json") : fs::path(source.list);
  pseg::fuzz::write_input(data + 1, size - 1, fs::path("dataset") / index);
  pseg::fuzz::parse_or_reject([&] {
    const auto reader = pseg::make_format_reader(source);
    size_t decoded = 0;
    for (const auto& pair : reader->list()) {
      // Paths outside the root would read whatever file the input names: that is the user's choice, not parsing.
      if (!pair.problem.empty() || !inside_root(pair.image) || !inside_root(pair.mask)) continue;
      pseg::fuzz::parse_or_reject([&] { reader->load(pair); });
      if (++decoded == 4) break;
    }
  });
  return 0;
}
