// `portraitseg video` end to end on a short clip generated here: a playable output with the right frame count,
// size and rate for each effect; the 4-channel model fed the previous mask on every frame after the first;
// frame skip; bad input. With $PORTRAITSEG_REFERENCE, the first frames of the reference clip.
#include <catch2/catch.hpp>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <regex>

#include "tests/tools/inference_test_util.h"
#include "tests/core/video_test_util.h"

using namespace pseg::test;
namespace fs = std::filesystem;

namespace {

void write_clip(const fs::path& path, int frames) {
  cv::VideoWriter w(path.string(), cv::VideoWriter::fourcc('m', 'p', '4', 'v'), 10, cv::Size(80, 60));
  REQUIRE(w.isOpened());
  for (int i = 0; i < frames; ++i) {
    cv::Mat f(60, 80, CV_8UC3, cv::Scalar(30, 60, 90));
    cv::ellipse(f, cv::Point(30 + i, 40), cv::Size(12, 20), 0, 0, 360, cv::Scalar(80, 150, 220), cv::FILLED);
    w.write(f);
  }
}

// The integer after `label` in the report, -1 when absent.
long long reported(const std::string& out, const std::string& label) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex(label + " (\\d+)"))) return -1;
  return std::stoll(m[1]);
}

}  // namespace

TEST_CASE("cli video: 4-channel model, every effect, prior fed after the first frame", "[tools][video]") {
  ScratchDir dir("cli_video");
  const fs::path model = export_untrained(dir, "pnet_video", {{"net", "portrait_net"}, {"in_channels", 4}});
  const fs::path in = dir / "in.mp4";
  write_clip(in, 9);
  for (const char* effect : {"blur", "replace", "mask"}) {
    INFO(effect);
    const fs::path out = dir / (std::string("out_") + effect + ".avi");
    const auto r = run_cli("video --model " + shell_arg(model.string() + ".pt") + " " + shell_arg(in) + " --out " +
                           shell_arg(out) + " --effect " + effect + " --background \"#0000FF\"");
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    cv::Size size;
    double fps = 0;
    CHECK(count_frames(out.string(), &size, &fps) == 9);
    CHECK(size == cv::Size(80, 60));
    CHECK(fps == Approx(10).epsilon(0.01));
    CHECK(reported(r.out, "net runs") == 9);
    CHECK(reported(r.out, "prior fed") == 8);
    CHECK(reported(r.out, "scene cuts") == 0);
    CHECK_THAT(r.out, Catch::Matchers::Contains("mean fps") && Catch::Matchers::Contains("stability"));
  }
}

TEST_CASE("cli video: 3-channel ONNX model with frame skip, smoothing and --max-frames", "[tools][video]") {
  ScratchDir dir("cli_video_skip");
  const fs::path model = export_untrained(dir, "prisma", {{"net", "prisma_net"}});
  const fs::path in = dir / "in.mp4";
  write_clip(in, 10);
  const fs::path out = dir / "out.mp4";
  const auto r = run_cli("video --model " + shell_arg(model.string() + ".onnx") + " " + shell_arg(in) + " --out " +
                         shell_arg(out) + " --every 3 --smooth 0.5 --max-frames 8");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(count_frames(out.string()) == 8);
  CHECK(reported(r.out, "net runs") == 3);  // frames 0, 3, 6
  CHECK(reported(r.out, "prior fed") == 0);
}

TEST_CASE("cli video: bad input", "[tools][video]") {
  ScratchDir dir("cli_video_bad");
  const fs::path model = export_untrained(dir, "prisma", {{"net", "prisma_net"}});
  const std::string m = " --model " + shell_arg(model.string() + ".pt") + " ";
  const fs::path in = dir / "in.mp4";
  write_clip(in, 3);
  write_text(dir / "garbage.mp4", "not a video at all");

  auto r = run_cli("video" + m + shell_arg(dir / "garbage.mp4") + " --out " + shell_arg(dir / "o.avi"));
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Matchers::Contains("garbage.mp4"));
  r = run_cli("video" + m + shell_arg(dir / "missing.mp4") + " --out " + shell_arg(dir / "o.avi"));
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Matchers::Contains("missing.mp4"));
  r = run_cli("video" + m + shell_arg(in) + " --out " + shell_arg(dir / "o.avi") + " --effect replace --background " +
              shell_arg(dir / "no_bg.png"));
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Matchers::Contains("no_bg.png"));
  r = run_cli("video" + m + shell_arg(in) + " --out " + shell_arg(dir / "o.gif"));
  INFO(r.out);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Matchers::Contains("o.gif"));
  for (const char* bad : {"--smooth 1", "--smooth -0.1", "--every 0", "--effect cutout"}) {
    r = run_cli("video" + m + shell_arg(in) + " --out " + shell_arg(dir / "o.avi") + " " + bad);
    INFO(bad << "\n" << r.out);
    CHECK(r.exit_code == 2);
  }
  CHECK_FALSE(fs::exists(dir / "o.gif"));
}

TEST_CASE("cli video: the first frames of the reference clip", "[tools][video][reference]") {
  const fs::path ref = reference_dir_or_skip();
  ScratchDir dir("cli_video_reference");
  const fs::path model = export_untrained(dir, "pnet_video", {{"net", "portrait_net"}, {"in_channels", 4}});
  const fs::path out = dir / "out.mp4";
  const auto r = run_cli("video --model " + shell_arg(model.string() + ".pt") + " " + shell_arg(ref / "video" / "test.mp4") +
                         " --out " + shell_arg(out) + " --effect replace --background " +
                         shell_arg(ref / "backgrounds" / "sky.jpg") + " --max-frames 30");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  cv::Size size;
  double fps = 0;
  CHECK(count_frames(out.string(), &size, &fps) == 30);
  CHECK(size == cv::Size(1024, 576));
  CHECK(fps == Approx(15).epsilon(0.01));
  CHECK(reported(r.out, "prior fed") == 29 - reported(r.out, "scene cuts"));
}

TEST_CASE("cli video: a header that claims an hour of frames over 3 real ones gives the 3 frames", "[tools][video]") {
  ScratchDir dir("cli_video_long_header");
  const fs::path model = export_untrained(dir, "prisma", {{"net", "prisma_net"}});
  const fs::path in = dir / "in.avi";
  {
    cv::VideoWriter w(in.string(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10, cv::Size(80, 60));
    REQUIRE(w.isOpened());
    for (int i = 0; i < 3; ++i) w.write(cv::Mat(60, 80, CV_8UC3, cv::Scalar(30 * i, 60, 90)));
  }
  // The AVI main header's dwTotalFrames and the stream header's dwLength say 36,000 frames (an hour at 10 fps).
  std::string bytes;
  {
    std::ifstream f(in, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  const auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes[at + static_cast<size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xFF);
  };
  const size_t avih = bytes.find("avih"), strh = bytes.find("strh");
  REQUIRE(avih != std::string::npos);
  REQUIRE(strh != std::string::npos);
  put32(avih + 8 + 16, 36000);
  put32(strh + 8 + 32, 36000);
  write_text(in, bytes);
  REQUIRE(cv::VideoCapture(in.string()).get(cv::CAP_PROP_FRAME_COUNT) >= 36000);

  const fs::path out = dir / "out.avi";
  const auto r = run_cli("video --model " + shell_arg(model.string() + ".onnx") + " " + shell_arg(in) + " --out " +
                         shell_arg(out) + " --effect mask");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(reported(r.out, "net runs") == 3);
  CHECK(count_frames(out.string()) == 3);
}
