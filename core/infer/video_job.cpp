#include "core/infer/video_job.h"

#include <spdlog/spdlog.h>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <opencv2/videoio/registry.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "core/common/atomic_file.h"
#include "core/common/pipeline.h"
#include "core/common/runtime.h"

namespace pseg {
namespace {

using Clock = std::chrono::steady_clock;

cv::Mat render(VideoEffect effect, const cv::Mat& frame, const cv::Mat& probability, const VideoOptions& o) {
  if (effect == VideoEffect::Mask) {
    cv::Mat bgr;
    cv::cvtColor(to_mask8(probability), bgr, cv::COLOR_GRAY2BGR);
    return bgr;
  }
  const cv::Mat alpha = feathered_alpha(probability, o.feather);
  if (effect == VideoEffect::Replace) return blend_over(frame, alpha, o.background.at(frame.size()));
  return blur_background(frame, alpha);
}

}  // namespace

VideoEffect parse_video_effect(const std::string& text) {
  if (text == "replace") return VideoEffect::Replace;
  if (text == "blur") return VideoEffect::Blur;
  if (text == "mask") return VideoEffect::Mask;
  throw std::invalid_argument("effect \"" + text + "\": expected replace, blur or mask");
}

std::string to_string(VideoEffect effect) {
  switch (effect) {
    case VideoEffect::Replace: return "replace";
    case VideoEffect::Blur: return "blur";
    case VideoEffect::Mask: return "mask";
  }
  return "?";
}

std::string fourcc_for(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".avi" || ext == ".mkv") return "MJPG";
  if (ext == ".mp4") return "mp4v";
  throw std::invalid_argument(path + ": output video must end in .mp4, .avi or .mkv");
}

VideoReport run_video(Predictor& predictor, const VideoOptions& options,
                      const std::function<void(const VideoProgress&)>& on_progress) {
  if (options.max_frames < 0) throw std::invalid_argument("--max-frames: expected >= 0");
  VideoReport report;
  report.input = options.input;
  report.output = options.output;
  report.fourcc = fourcc_for(options.output);
  TemporalMasker masker(predictor, options.temporal);
  report.prior_model = masker.uses_prior();

  if (!std::filesystem::is_regular_file(options.input))
    throw std::runtime_error(options.input + ": no such video file");
  // FFmpeg when this OpenCV has it: falling through to other backends only adds their noise on a bad file.
  const int backend = cv::videoio_registry::hasBackend(cv::CAP_FFMPEG) ? cv::CAP_FFMPEG : cv::CAP_ANY;
  cv::VideoCapture capture(options.input, backend);
  cv::Mat frame;
  if (!capture.isOpened() || !capture.read(frame) || frame.empty())
    throw std::runtime_error(options.input + ": cannot read a video frame (not a video OpenCV can decode?)");
  report.width = frame.cols;
  report.height = frame.rows;
  report.input_fps = capture.get(cv::CAP_PROP_FPS);
  if (!(report.input_fps > 0 && std::isfinite(report.input_fps))) {
    spdlog::warn("{}: no frame rate in the container, writing at 25 fps", options.input);
    report.input_fps = 25;
  }
  int64_t total = std::max<int64_t>(0, static_cast<int64_t>(capture.get(cv::CAP_PROP_FRAME_COUNT)));
  if (options.max_frames > 0) total = total > 0 ? std::min(total, options.max_frames) : options.max_frames;

  const std::string& f = report.fourcc;
  // Written as a temp file beside the output and moved into place once complete (core/common/atomic_file.h).
  AtomicFile output(options.output);
  cv::VideoWriter writer(output.temp_path().string(), backend, cv::VideoWriter::fourcc(f[0], f[1], f[2], f[3]), report.input_fps,
                         frame.size(), true);
  if (!writer.isOpened()) throw std::runtime_error(options.output + ": cannot open for writing (" + f + ")");

  // The next frame is decoded, and the last one rendered and encoded, while the net runs.
  struct Masked {
    cv::Mat frame;
    FrameMask mask;  // its probability is never written again once returned, so the encoder may read it
    bool cut = false;
  };
  SceneCutDetector cuts(options.scene_cut_threshold);
  cv::Mat previous_mask;
  double change_sum = 0;
  int64_t change_frames = 0;
  double net_ms = 0;
  const auto start = Clock::now();
  run_three_stages<cv::Mat, Masked>(
      2,
      [&](const auto& emit) {
        int64_t read = 0;
        cv::Mat next = frame;
        do {
          if (next.type() != CV_8UC3)
            cv::cvtColor(next, next, next.channels() == 1 ? cv::COLOR_GRAY2BGR : cv::COLOR_BGRA2BGR);
          if (!emit(next)) return;
          ++read;
          next = cv::Mat();  // a fresh buffer: the one emitted belongs to the next stages now
        } while ((options.max_frames == 0 || read < options.max_frames) && capture.read(next) && !next.empty());
      },
      [&](cv::Mat next) {
        Masked m{std::move(next), {}, false};
        m.cut = cuts.is_cut(m.frame);
        m.mask = masker.next(m.frame, m.cut);
        release_parallel_workers();  // the decode and render stages need the cores now
        if (m.cut) ++report.scene_cuts;
        if (m.mask.net_run) {
          ++report.net_runs;
          net_ms += m.mask.timing.preprocess_ms + m.mask.timing.inference_ms + m.mask.timing.postprocess_ms;
        }
        if (m.mask.prior_fed) ++report.prior_fed;
        if (!previous_mask.empty() && !m.cut) {
          change_sum += cv::norm(m.mask.probability, previous_mask, cv::NORM_L1) / static_cast<double>(m.frame.total());
          ++change_frames;
        }
        previous_mask = m.mask.probability;
        return m;
      },
      [&](Masked m) {
        writer.write(render(options.effect, m.frame, m.mask.probability, options));
        ++report.frames;
        if (!on_progress) return;
        VideoProgress p;
        p.frame = report.frames;
        p.total = total;
        p.fps = report.frames / std::max(1e-9, std::chrono::duration<double>(Clock::now() - start).count());
        p.mask = &m.mask;
        p.scene_cut = m.cut;
        on_progress(p);
      });
  writer.release();
  // The writer reports no I/O errors (a full disk truncates the file): the result must open and decode.
  cv::VideoCapture check(output.temp_path().string(), backend);
  if (!check.isOpened() || !check.read(frame))
    throw std::runtime_error(options.output + ": cannot write the video (the file written does not read back)");
  check.release();
  output.commit();

  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  report.mean_fps = report.frames / std::max(1e-9, report.seconds);
  report.mean_net_ms = report.net_runs > 0 ? net_ms / report.net_runs : 0;
  report.stability = change_frames > 0 ? change_sum / change_frames : 0;
  return report;
}

}  // namespace pseg
