#pragma once
// Shared by the import tests: the reference photos with the exact preprocessing of expected/manifest.json, the
// stored reference probability maps, the VOC/AISegment reference images, and a Keras HDF5 writer.
#include <hdf5.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/export/export_head.h"
#include "core/eval/eval_job.h"
#include "core/import/import_job.h"
#include "nets/segnet.h"
#include "tests/test_support.h"

namespace pseg::test {

namespace fs = std::filesystem;

// The message an import of `file` into `net` fails with, or "no error".
inline std::string import_error(const std::string& file, const std::string& net,
                                const std::vector<std::string>& sets = {}) {
  try {
    import_weights(file, import_config(net, file, sets));
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

// Non-trivial BatchNorm statistics and affine parameters, so that an import that drops or misplaces them shows.
inline void randomize_bn(SegNetImpl& net) {
  torch::NoGradGuard no_grad;
  for (auto& b : net.named_buffers()) {
    if (b.key().find("running_mean") != std::string::npos) b.value().normal_(0, 0.1);
    if (b.key().find("running_var") != std::string::npos) b.value().uniform_(0.5, 1.5);
  }
  for (auto& p : net.named_parameters())
    if (p.key().find("BN") != std::string::npos || p.key().find("bn") != std::string::npos) p.value().normal_(0.5, 0.2);
}

// expected/manifest.json: imread(IMREAD_COLOR) -> resize to size x size with INTER_AREA -> BGR to RGB -> /255 -> NCHW.
inline torch::Tensor reference_input(const fs::path& image, int64_t size) {
  const cv::Mat bgr = cv::imread(image.string(), cv::IMREAD_COLOR);
  REQUIRE(!bgr.empty());
  cv::Mat resized, rgb, f;
  cv::resize(bgr, resized, cv::Size(static_cast<int>(size), static_cast<int>(size)), 0, 0, cv::INTER_AREA);
  cv::cvtColor(resized, rgb, cv::COLOR_BGR2RGB);
  rgb.convertTo(f, CV_32FC3, 1.0 / 255.0);
  return torch::from_blob(f.data, {1, size, size, 3}, torch::kFloat).permute({0, 3, 1, 2}).contiguous();
}

// A raw little-endian float32 map of size x size.
inline torch::Tensor read_f32(const fs::path& file, int64_t size) {
  std::ifstream in(file, std::ios::binary);
  REQUIRE(in.good());
  torch::Tensor t = torch::empty({size, size}, torch::kFloat);
  in.read(static_cast<char*>(t.data_ptr()), static_cast<std::streamsize>(t.nbytes()));
  REQUIRE(in.gcount() == static_cast<std::streamsize>(t.nbytes()));
  return t;
}

// (photo stem, photo path) of expected/manifest.json's "photos".
inline std::vector<std::pair<std::string, fs::path>> reference_photos(const fs::path& ref) {
  const auto manifest = read_json(ref / "expected/manifest.json");
  std::vector<std::pair<std::string, fs::path>> out;
  for (const auto& [stem, file] : manifest.at("photos").items())
    out.emplace_back(stem, ref / "photos" / file.get<std::string>());
  return out;
}

// The 12 VOC and 4 AISegment reference images.
inline std::vector<fs::path> dataset_images(const fs::path& ref) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(ref / "datasets/VOCdevkit/person/JPEGImages")) out.push_back(e.path());
  for (const auto& e : fs::recursive_directory_iterator(ref / "datasets/ai_segment/clip_img"))
    if (e.is_regular_file()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Foreground probability [N,H,W] of `net` on x.
inline torch::Tensor probability(SegNetImpl& net, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  return inference_forward(net, x, ExportHead::Probability, 0.5f).squeeze(1);
}

// max |p - expected| over every reference photo, for a net imported from `file`; also checks the net against
// `other` (the same weights from another importer) when given. `symmetric`: the net takes RGB in [-1, 1].
inline double worst_difference(const fs::path& ref, SegNetImpl& net, int64_t size, const std::string& expected_dir,
                        const std::string& suffix, SegNetImpl* other = nullptr, bool symmetric = false) {
  double worst = 0;
  for (const auto& [stem, photo] : reference_photos(ref)) {
    INFO(stem);
    const torch::Tensor unit = reference_input(photo, size);
    const torch::Tensor x = symmetric ? unit * 2 - 1 : unit;
    const torch::Tensor p = probability(net, x)[0];
    const double diff = (p - read_f32(ref / "expected" / expected_dir / (stem + suffix), size)).abs().max().item<double>();
    std::printf("%s %-6s max|p - expected| = %.3g\n", expected_dir.c_str(), stem.c_str(), diff);
    worst = std::max(worst, diff);
    if (other) CHECK((p - probability(*other, x)[0]).abs().max().item<double>() <= 1e-5);
  }
  return worst;
}


// Imports `file` (from reference/models) into `net` as a checkpoint under `dir` and scores it with the published
// protocol (INTER_AREA to the net size) on the reference AISegment and VOC sets: {per-image, confusion} mIOU of
// AISegment, then of VOC.
inline std::vector<double> reference_set_scores(const fs::path& ref, const fs::path& dir, const std::string& file,
                                                const std::string& net, const std::vector<std::string>& overrides) {
  ImportOptions o;
  o.from = (ref / "models" / file).string();
  o.net = net;
  o.overrides = overrides;
  o.out = (dir / (file + ".ckpt")).string();
  run_import(o);
  std::vector<double> out;
  for (const std::string set : {"aisegment:" + (ref / "datasets" / "ai_segment").string(),
                                "voc:" + (ref / "datasets" / "VOCdevkit" / "person").string()}) {
    EvalRequest r;
    r.model = o.out;
    r.data = {set};
    r.predictor.interpolation = ResizeInterpolation::Area;
    const SegMetrics m = run_eval(r).result.metrics;
    std::printf("%-32s %-9s miou_per_image %.4f miou_confusion %.4f\n", file.c_str(), set.substr(0, 9).c_str(),
                m.miou_per_image, m.miou_confusion);
    out.push_back(m.miou_per_image);
    out.push_back(m.miou_confusion);
  }
  return out;
}

// Each score of `a` within `tolerance` of the same one of `b`.
inline void check_scores(const std::vector<double>& a, const std::vector<double>& b, double tolerance) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i] == Approx(b[i]).margin(tolerance));
}

// One layer of a Keras HDF5 weights file: dataset names as Keras writes them ("conv2d_75/kernel:0"), Keras layouts.
struct H5Layer {
  std::string name;
  std::vector<std::pair<std::string, torch::Tensor>> weights;
};

inline void write_string_list_attr(hid_t obj, const char* name, const std::vector<std::string>& values) {
  size_t width = 1;
  for (const auto& v : values) width = std::max(width, v.size());
  std::vector<char> buf(values.size() * width, '\0');
  for (size_t i = 0; i < values.size(); ++i) std::copy(values[i].begin(), values[i].end(), buf.begin() + i * width);
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, width);
  const hsize_t n = values.size();
  const hid_t space = H5Screate_simple(1, &n, nullptr);
  const hid_t attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  if (n > 0) H5Awrite(attr, type, buf.data());
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
}

// Writes a tf.keras-style file: model_weights/<layer>/<weight_name> with layer_names and weight_names attributes.
inline void write_keras_h5(const fs::path& path, const std::vector<H5Layer>& layers) {
  const hid_t file = H5Fcreate(path.string().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(file >= 0);
  const hid_t root = H5Gcreate2(file, "model_weights", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  std::vector<std::string> names;
  const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  for (const auto& layer : layers) {
    names.push_back(layer.name);
    const hid_t g = H5Gcreate2(root, layer.name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    std::vector<std::string> weight_names;
    for (const auto& [wname, value] : layer.weights) {
      weight_names.push_back(wname);
      const torch::Tensor c = value.to(torch::kFloat).contiguous();
      std::vector<hsize_t> dims(c.sizes().begin(), c.sizes().end());
      const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
      const hid_t ds = H5Dcreate2(g, wname.c_str(), H5T_IEEE_F32LE, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
      H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, c.data_ptr<float>());
      H5Dclose(ds);
      H5Sclose(space);
    }
    write_string_list_attr(g, "weight_names", weight_names);
    H5Gclose(g);
  }
  write_string_list_attr(root, "layer_names", names);
  H5Pclose(lcpl);
  H5Gclose(root);
  H5Fclose(file);
}

}  // namespace pseg::test
