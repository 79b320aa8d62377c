#pragma once
// The job behind `portraitseg video`: read a clip with cv::VideoCapture, mask every frame (temporal prior, frame
// skip, smoothing: core/infer/temporal_mask.h), apply an effect, and write a clip of the same size and frame rate with
// cv::VideoWriter. Reports throughput and the temporal stability of the mask.
#include <cstdint>
#include <functional>
#include <string>

#include "core/infer/effects.h"
#include "core/infer/engine_registry.h"
#include "core/infer/predictor.h"
#include "core/infer/scene_cut.h"
#include "core/infer/temporal_mask.h"

namespace pseg {

enum class VideoEffect { Replace, Blur, Mask };
// "replace" | "blur" | "mask"; throws std::invalid_argument naming the accepted values.
VideoEffect parse_video_effect(const std::string& text);
std::string to_string(VideoEffect effect);

// The FOURCC written for an output path: MJPG for .avi and .mkv, mp4v for .mp4 (both read back by OpenCV's
// FFmpeg backend). Throws std::invalid_argument for any other extension.
std::string fourcc_for(const std::string& path);

struct VideoOptions {
  std::string input;
  std::string output;
  VideoEffect effect = VideoEffect::Blur;
  Background background = Background::colour(cv::Scalar(255, 255, 255));
  FeatherOptions feather;
  TemporalOptions temporal;
  int64_t max_frames = 0;  // 0 = the whole clip
  double scene_cut_threshold = kDefaultSceneCutThreshold;
};

// Called after every written frame, in order, on the thread that renders and encodes (not the caller's).
struct VideoProgress {
  int64_t frame = 0;        // frames done
  int64_t total = 0;        // frames expected (container count, capped by max_frames); 0 when unknown
  double fps = 0;           // frames per second so far, end to end
  const FrameMask* mask = nullptr;
  bool scene_cut = false;
};

struct VideoReport {
  std::string input, output, fourcc;
  int width = 0, height = 0;
  double input_fps = 0;
  int64_t frames = 0;
  int64_t net_runs = 0;
  int64_t prior_fed = 0;    // net runs that received a previous-frame prior
  int64_t scene_cuts = 0;
  bool prior_model = false;
  double seconds = 0;       // read to write, all frames
  double mean_fps = 0;
  double mean_net_ms = 0;   // preprocess + inference + postprocess per net run
  // Mean absolute change of the mask probability between consecutive frames (over all pixels, excluding frames
  // that start a new scene): lower is steadier.
  double stability = 0;
};

// Throws std::runtime_error naming the file when the input cannot be opened or has no frames, or the output
// cannot be written; std::invalid_argument for bad options.
VideoReport run_video(Predictor& predictor, const VideoOptions& options,
                      const std::function<void(const VideoProgress&)>& on_progress = {});

}  // namespace pseg
