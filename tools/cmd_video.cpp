// portraitseg video: segment a clip frame by frame (temporal prior for 4-channel models, frame skip, smoothing)
// and write it back with the background replaced, blurred, or as the mask. Logic lives in core/video_runner.
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "core/infer/video_job.h"
#include "tools/command.h"

namespace pseg::cli {
namespace {

struct VideoArgs {
  std::string model;
  VideoOptions video;
  std::string effect = "blur";
  std::string background;
};

// A bar redrawn in place on a terminal, a line every 100 frames otherwise.
class ProgressLine {
 public:
  void operator()(const VideoProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (tty_) {
      if (now - last_ < std::chrono::milliseconds(100) && p.frame != p.total) return;
      last_ = now;
      const int width = 30;
      const int filled = p.total > 0 ? static_cast<int>(width * p.frame / p.total) : 0;
      std::fprintf(stderr, "\r[%s%s] %lld/%lld frames  %.1f fps", std::string(filled, '#').c_str(),
                   std::string(width - filled, '.').c_str(), static_cast<long long>(p.frame),
                   static_cast<long long>(p.total), p.fps);
      open_ = true;
    } else if (p.frame % 100 == 0) {
      std::fprintf(stderr, "%lld/%lld frames  %.1f fps\n", static_cast<long long>(p.frame),
                   static_cast<long long>(p.total), p.fps);
    }
  }
  ~ProgressLine() {
    if (open_) std::fprintf(stderr, "\n");
  }

 private:
  bool tty_ = isatty(STDERR_FILENO) != 0;
  bool open_ = false;
  std::chrono::steady_clock::time_point last_{};
};

int run_video_cmd(VideoArgs& a, const Context& ctx) {
  a.video.effect = parse_video_effect(a.effect);
  if (!a.background.empty()) a.video.background = Background::parse(a.background);
  PredictorOptions po;
  po.device = ctx.runtime.device;
  const auto predictor = open_predictor(a.model, po);
  a.video.feather.threshold = predictor->meta().threshold;
  VideoReport r;
  {
    ProgressLine progress;
    const bool quiet = ctx.runtime.quiet;
    r = run_video(*predictor, a.video, [&](const VideoProgress& p) {
      if (!quiet) progress(p);
    });
  }
  std::printf("%s -> %s (%s): %lld frames, %dx%d at %.2f fps, effect %s\n", r.input.c_str(), r.output.c_str(),
              r.fourcc.c_str(), static_cast<long long>(r.frames), r.width, r.height, r.input_fps,
              to_string(a.video.effect).c_str());
  std::printf("net runs %lld (every %d), prior fed %lld%s, scene cuts %lld\n", static_cast<long long>(r.net_runs),
              a.video.temporal.every, static_cast<long long>(r.prior_fed),
              r.prior_model ? "" : " (3-channel model)", static_cast<long long>(r.scene_cuts));
  std::printf("mean fps %.1f end to end, %.1f ms per net run (preprocess + inference + postprocess)\n", r.mean_fps,
              r.mean_net_ms);
  std::printf("stability %.5f (mean |change| of the mask between consecutive frames)\n", r.stability);
  return 0;
}

}  // namespace

void register_video(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<VideoArgs>();
  auto& v = args->video;
  auto* sub = add_command(app, "video");
  sub->add_option("--model", args->model, "model file: " + engine_list())
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("input", v.input, "input video")->required();
  sub->add_option("--out", v.output, "output video: .mp4 (mp4v), .avi or .mkv (MJPG)")->required();
  sub->add_option("--effect", args->effect, "replace, blur (default) or mask");
  sub->add_option("--background", args->background, "new background for replace: an image or #RRGGBB (default white)");
  sub->add_option("--every", v.temporal.every, "run the net on every N-th frame, reusing the mask between (default 1)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--smooth", v.temporal.smooth,
                  "exponential smoothing of the mask across frames, A in [0, 1): A * previous + (1 - A) * current");
  sub->add_option("--max-frames", v.max_frames, "stop after N frames (default: the whole clip)")
      ->check(CLI::NonNegativeNumber);
  add_runtime_options(sub, ctx);
  sub->callback([args, &ctx] {
    const double s = args->video.temporal.smooth;
    if (!(s >= 0 && s < 1)) throw CLI::ValidationError("--smooth", "expected a value in [0, 1), got " + std::to_string(s));
    ctx.run = [args, &ctx] { return run_video_cmd(*args, ctx); };
  });
}

}  // namespace pseg::cli
