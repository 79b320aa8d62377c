#include "core/infer/photo_job.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <utility>

#include "core/common/atomic_file.h"
#include "core/common/pipeline.h"
#include "core/common/runtime.h"
#include "core/common/stopwatch.h"
#include "core/infer/image_format.h"
#include "core/infer/photo_decode.h"
#include "data/file_walk.h"
#include "data/image_io.h"

namespace pseg {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

bool wants(PhotoEffect chosen, PhotoEffect effect) { return chosen == PhotoEffect::All || chosen == effect; }

class PhotoJob {
 public:
  PhotoJob(const std::vector<Predictor*>& predictors, const PhotoOptions& options)
      : predictors_(predictors), options_(options) {
    if (predictors.empty() || std::count(predictors.begin(), predictors.end(), nullptr) > 0)
      throw std::invalid_argument("run_photos: expected at least one predictor");
    feather_.threshold = options.threshold.value_or(predictors.front()->meta().threshold);
    feather_.feather_px = options.feather_px;
    if (!(feather_.threshold > 0.f && feather_.threshold < 1.f))
      throw std::invalid_argument("--threshold " + std::to_string(feather_.threshold) + ": expected a value in (0, 1)");
    if (!(options.feather_px >= 0)) throw std::invalid_argument("--feather: expected >= 0 pixels");
    // One per worker: Background caches its last size, which two workers must not rewrite at once.
    backgrounds_.assign(predictors.size(), options.background ? Background::parse(*options.background)
                                                              : Background::colour(cv::Scalar(255, 255, 255)));
    std::error_code ec;
    fs::create_directories(options.out_dir, ec);
    if (!fs::is_directory(options.out_dir))
      throw std::runtime_error(options.out_dir + ": cannot create the output directory");
  }

  // One photo on its way: decoded, rendered (net and effects), encoded, written; run_photos decides which thread
  // runs each step. A photo that fails carries its error on to the writing step, which reports it (capture_error
  // skips the steps after a failure).
  struct Decoded {
    PhotoResult result;
    DecodedPhoto photo;
  };
  // An output on its way to the disk: first its picture, then (encode) its path and file bytes.
  struct Output {
    std::string kind;
    cv::Mat image;
    std::string path, bytes;
  };
  struct Rendered {
    PhotoResult result;
    std::vector<Output> outputs;
  };

  static Decoded pending(const std::string& path) {
    Decoded d;
    d.result.input = path;
    return d;
  }

  Decoded decode(const std::string& path) const {
    Decoded d = pending(path);
    capture_error(d.result, [&] {
      auto t0 = Clock::now();
      if (!fs::is_regular_file(path)) throw std::runtime_error(path + ": no such file");
      PhotoDecodeOptions decode;
      decode.keep_full = options_.effect != PhotoEffect::Mask;
      decode.reduce = !options_.full_decode;
      d.photo = decode_photo(read_file_bytes(path), path, *predictors_.front(), decode);
      d.result.timing.decode_ms = ms_since(t0);
      d.result.width = d.photo.size.width;
      d.result.height = d.photo.size.height;
    });
    return d;
  }

  // On inference worker `worker`, with its own predictor and background.
  Rendered render(size_t worker, Decoded d) {
    Rendered out{std::move(d.result), {}};
    capture_error(out.result, [&] { out.outputs = predict_and_compose(worker, d.photo, out.result); });
    return out;
  }

  void encode(Rendered& r) const {
    capture_error(r.result, [&] {
      const auto t0 = Clock::now();
      const std::string stem = fs::path(r.result.input).stem().string();
      for (Output& o : r.outputs) {
        // The mask is data and stays exact; a picture the format cannot hold stays PNG too.
        const ImageFormat format = o.kind == "mask" ? ImageFormat::Png : format_that_holds(options_.format, o.image);
        o.path = (fs::path(options_.out_dir) / (stem + "_" + o.kind + extension_of(format))).string();
        o.bytes = encode_image(o.image, format, options_.png);
        o.image.release();
      }
      r.result.timing.write_ms += ms_since(t0);
    });
  }

  // Writes the bytes encode made, each file atomically.
  PhotoResult write(Rendered r) const {
    capture_error(r.result, [&] {
      const auto t0 = Clock::now();
      for (const Output& o : r.outputs) {
        write_file_atomic(o.path, o.bytes);
        r.result.outputs[o.kind] = o.path;
      }
      r.result.timing.write_ms += ms_since(t0);
    });
    if (!r.result.ok()) r.result.outputs.clear();
    return std::move(r.result);
  }

 private:
  template <typename F>
  static void capture_error(PhotoResult& r, F&& f) {
    if (!r.ok()) return;
    try {
      f();
    } catch (const std::exception& e) {
      r.error = e.what();
    }
  }

  std::vector<Output> predict_and_compose(size_t worker, const DecodedPhoto& photo, PhotoResult& r) {
    const Prediction prediction = predictors_[worker]->predict(photo.for_net, cv::Mat(), photo.size);
    r.timing.preprocess_ms = prediction.timing.preprocess_ms;
    r.timing.inference_ms = prediction.timing.inference_ms;
    r.timing.postprocess_ms = prediction.timing.postprocess_ms;
    const cv::Mat& probability = prediction.probability;
    r.foreground = foreground_fraction(probability, feather_.threshold);

    const auto t0 = Clock::now();
    const PhotoEffect chosen = options_.effect;
    std::vector<Output> images;
    if (wants(chosen, PhotoEffect::Mask)) images.push_back({"mask", to_mask8(probability)});
    if (chosen != PhotoEffect::Mask) {
      const cv::Mat& bgr = photo.full;
      const cv::Mat alpha = feathered_alpha(probability, feather_);
      if (wants(chosen, PhotoEffect::Cutout)) images.push_back({"cutout", cutout_rgba(bgr, alpha)});
      cv::Mat replaced, blurred;
      if (wants(chosen, PhotoEffect::Replace)) {
        replaced = replace_background(bgr, alpha, backgrounds_[worker].at(bgr.size()), options_.harmonize);
        images.push_back({"replace", replaced});
      }
      if (wants(chosen, PhotoEffect::Blur)) {
        blurred = blur_background(bgr, alpha);
        images.push_back({"blur", blurred});
      }
      if (chosen == PhotoEffect::All)
        images.push_back({"preview", side_by_side(bgr, alpha, options_.background ? replaced : blurred)});
    }
    r.timing.effects_ms = ms_since(t0);
    return images;
  }

  const std::vector<Predictor*>& predictors_;
  const PhotoOptions& options_;
  FeatherOptions feather_;
  std::vector<Background> backgrounds_;
};

}  // namespace

PhotoEffect parse_photo_effect(const std::string& text) {
  if (text == "mask") return PhotoEffect::Mask;
  if (text == "cutout") return PhotoEffect::Cutout;
  if (text == "replace") return PhotoEffect::Replace;
  if (text == "blur") return PhotoEffect::Blur;
  if (text == "all") return PhotoEffect::All;
  throw std::invalid_argument("effect \"" + text + "\": expected mask, cutout, replace, blur or all");
}

std::vector<std::string> collect_photos(const std::vector<std::string>& inputs) {
  std::vector<std::string> out;
  for (const auto& input : inputs) {
    if (!fs::is_directory(input)) {
      out.push_back(input);
      continue;
    }
    for (const auto& image : list_images(input, false)) out.push_back(image.string());
  }
  return out;
}

PhotoWorkers photo_workers(int requested, size_t photos, int threads, const std::string& device) {
  if (requested < 0) throw std::invalid_argument("--workers " + std::to_string(requested) + ": expected >= 0");
  const int cores = intra_op_thread_count(threads);
  const bool cpu = device.rfind("cuda", 0) != 0;
  PhotoWorkers w;
  if (requested > 0)
    w.count = static_cast<int>(std::min<size_t>(requested, std::max<size_t>(photos, 1)));
  else
    w.count = cpu && photos >= 4 && cores >= 2 ? 2 : 1;
  if (w.count > 1) w.threads = std::max(1, cores / w.count);
  return w;
}

PhotoSummary run_photos(const std::vector<Predictor*>& predictors, const PhotoOptions& options,
                        const std::function<void(const PhotoResult&)>& on_result) {
  const auto start = Clock::now();
  PhotoJob job(predictors, options);
  const std::vector<std::string> photos = collect_photos(options.inputs);
  if (photos.empty()) throw std::runtime_error("no images found in the given directories");
  // One worker (one photo, or a GPU): the next photo is decoded, and the last one's outputs encoded and written, on
  // threads of their own while the net runs. Several (by default on the CPU, one per share of the cores): each takes
  // its photo from the file to the encoded bytes, as the cores are busy with workers anyway and a megapixel handed
  // between threads costs more than the overlap gives; the last thread only writes the files, in order.
  const bool on_workers = predictors.size() > 1;
  PhotoSummary summary;
  run_stages<PhotoJob::Decoded, PhotoJob::Rendered>(
      2, predictors.size(),
      [&](const auto& emit) {
        for (const auto& path : photos)
          if (!emit(on_workers ? PhotoJob::pending(path) : job.decode(path))) return;
      },
      [&](size_t worker, PhotoJob::Decoded d) {
        if (!on_workers) return job.render(worker, std::move(d));
        PhotoJob::Rendered r = job.render(worker, job.decode(d.result.input));
        job.encode(r);
        return r;
      },
      [&](PhotoJob::Rendered r) {
        if (!on_workers) job.encode(r);
        const PhotoResult result = job.write(std::move(r));
        ++(result.ok() ? summary.processed : summary.failed);
        if (on_result) on_result(result);
      });
  summary.seconds = ms_since(start) / 1000.0;
  return summary;
}

}  // namespace pseg
