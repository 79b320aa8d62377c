#pragma once
// The job behind `portraitseg test`: every photo given (or found in a given directory) through the predictor,
// then the chosen effects written next to each other in the output directory, as PNGs unless asked otherwise:
//   <stem>_mask.png (8-bit probability), <stem>_cutout.png (RGBA, alpha = feathered mask),
//   <stem>_replace.png, <stem>_blur.png, and with `all` also <stem>_preview.png (original | alpha | result).
// A photo that fails is reported and skipped; the others are still processed.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/infer/effects.h"
#include "core/infer/harmonize.h"
#include "core/infer/image_format.h"
#include "core/infer/engine_registry.h"
#include "core/infer/predictor.h"

namespace pseg {

enum class PhotoEffect { Mask, Cutout, Replace, Blur, All };
// "mask" | "cutout" | "replace" | "blur" | "all"; throws std::invalid_argument naming the accepted values.
PhotoEffect parse_photo_effect(const std::string& text);

struct PhotoOptions {
  std::vector<std::string> inputs;  // image files and/or directories (their image files, not recursive)
  std::string out_dir = ".";
  PhotoEffect effect = PhotoEffect::All;
  std::optional<std::string> background;  // "#RRGGBB" or an image; replace uses white without it
  Harmonize harmonize = Harmonize::None;
  std::optional<float> threshold;         // default: the model's metadata
  double feather_px = 3;
  bool full_decode = false;  // never decode a large JPEG at a reduced size for the net (core/infer/photo_decode.h)
  ImageFormat format = ImageFormat::Png;  // of the pictures; the mask, and what a format cannot hold, stay PNG
  PngCompression png = PngCompression::Small;  // of the PNG pictures (core/infer/png_encode.h)
};

struct PhotoTiming {
  double decode_ms = 0;        // for the net (reduced where it can be) and, for the effects, at full size
  double preprocess_ms = 0;
  double inference_ms = 0;
  double postprocess_ms = 0;  // probability back to the photo's size
  double effects_ms = 0;      // feathering and compositing
  double write_ms = 0;        // encoding and writing (core/infer/image_format.h)
  double total_ms() const {
    return decode_ms + preprocess_ms + inference_ms + postprocess_ms + effects_ms + write_ms;
  }
};

struct PhotoResult {
  std::string input;
  std::string error;                          // empty on success
  int width = 0, height = 0;
  double foreground = 0;                      // fraction of pixels above the threshold
  std::map<std::string, std::string> outputs; // kind ("mask", "cutout", ...) -> written path
  PhotoTiming timing;
  bool ok() const { return error.empty(); }
};

// The images named by `inputs` in order: files as given, directories expanded to their image files (the types of
// image_extensions() in data/file_walk.h, sorted by name, hidden files skipped). A path that does not exist is kept, so
// that it fails as a photo.
std::vector<std::string> collect_photos(const std::vector<std::string>& inputs);

struct PhotoSummary {
  size_t processed = 0;
  size_t failed = 0;
  double seconds = 0;  // wall time of the whole run, the model's first inference included
};

// The inference workers of run_photos and the intra-op threads each opens its predictor with
// (PredictorOptions::threads).
struct PhotoWorkers {
  int count = 1;
  int threads = 0;  // with several workers an equal share of the process's (rounded down, at least 1); else 0 = its
};

// The workers for `photos` photos on `threads` intra-op threads (0 = the usable cores) on `device`: `requested` when it
// is above 0, at most one per photo; else two on the CPU for four photos or more and two threads or more, one
// otherwise. A net's threads scale poorly (PortraitNet at 224 in oneDNN: 13.5 ms on one thread, 8.1 on two), so two
// nets side by side on half the threads each get more photos through. Throws std::invalid_argument for a negative
// `requested`.
PhotoWorkers photo_workers(int requested, size_t photos, int threads, const std::string& device);

// Processes every photo, handing each result to `on_result` as it is done, in input order, on a thread of its own. One
// inference worker per predictor (copies of one model, each opened with its share of the threads:
// PredictorOptions::threads), photo i on worker i % workers. With one worker the next photo is decoded, and the last
// one's outputs encoded and written, on threads of their own while the net runs; with several, each worker takes its
// photo from decoding to encoding and a last thread writes the files. None is kept: a directory of any size runs in the
// memory of a few photos and the list of its paths. Throws std::invalid_argument for bad options (threshold outside (0,
// 1), negative feather, malformed colour, no predictor) and std::runtime_error for an unreadable background, an output
// directory that cannot be created, or no photo to process, before any photo is processed. Per-photo failures are
// results.
PhotoSummary run_photos(const std::vector<Predictor*>& predictors, const PhotoOptions& options,
                        const std::function<void(const PhotoResult&)>& on_result = {});

}  // namespace pseg
