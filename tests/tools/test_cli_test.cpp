// `portraitseg test` end to end: a model trained here for a few epochs on tiny synthetic portraits cuts the person
// out of a synthetic photo of another size: every output written, the mask close to the ground truth, the cut-out's
// alpha equal to the feathered mask, replace/blur keeping the person's pixels; bad input reported clearly.
#include <catch2/catch.hpp>

#include <opencv2/imgcodecs.hpp>

#include <fstream>
#include <set>
#include <sys/resource.h>
#include <opencv2/imgproc.hpp>

#include "core/infer/effects.h"
#include "core/infer/predictor.h"
#include "data/image_io.h"
#include "data/synth.h"
#include "tests/data/exif_test_util.h"
#include "tests/tools/inference_test_util.h"

using namespace pseg;
using namespace pseg::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Prisma-Net at 64x64 trained for 24 short epochs on 120 synthetic portraits (under a minute on 2 cores): a real,
// if small, model — it reaches a person IoU of about 0.65 on new portraits, where an untrained net scores near 0.3
// (everything) or 0 (nothing).
std::string train_tiny_model(const ScratchDir& dir) {
  SynthOptions o;
  o.out = dir / "data";
  o.count = 128;
  o.width = 64;
  o.height = 64;
  o.seed = 11;
  o.test_fraction = 0.0625;
  write_synth_dataset(o);
  json j = tiny_train_config({{"net", "prisma_net"}, {"input_size", {64, 64}}}, dir / "data", dir / "run");
  j["train"]["epochs"] = 24;
  j["train"]["log_interval_steps"] = 100;
  j["optim"]["lr"] = 3e-3;
  // The IoU thresholds below were set on this run's trajectory with contiguous kernels; channels-last kernels round
  // differently and Adam takes another, equally good path over 24 epochs (validation mIOU 0.66-0.72 either way).
  j["train"]["channels_last"] = false;
  const auto r = run_cli("train --quiet --config " + shell_arg(write_json(dir / "train.json", j)));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const fs::path ckpt = dir / "run" / "best.ckpt";
  REQUIRE(fs::exists(ckpt));
  return ckpt.string();
}

// A synthetic portrait at 120x96 (not the net's size or aspect), saved losslessly, and its ground truth.
Portrait write_photo(const fs::path& path, uint64_t seed) {
  Rng rng(seed);
  Portrait p = render_portrait(cv::Size(120, 96), {}, rng);
  fs::create_directories(path.parent_path());
  REQUIRE(cv::imwrite(path.string(), p.image));
  return p;
}

void write_bytes(const fs::path& path, const std::vector<unsigned char>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

double iou(const cv::Mat& a, const cv::Mat& b) {
  const double inter = cv::countNonZero(a & b);
  const double uni = cv::countNonZero(a | b);
  return uni > 0 ? inter / uni : 1.0;
}

cv::Mat channel(const cv::Mat& m, int c) {
  cv::Mat out;
  cv::extractChannel(m, out, c);
  return out;
}

int differing(const cv::Mat& a, const cv::Mat& b, const cv::Mat& where) {
  cv::Mat d;
  cv::absdiff(a, b, d);
  cv::Mat any = channel(d, 0) | channel(d, 1) | channel(d, 2);
  return cv::countNonZero(any & where);
}

}  // namespace

TEST_CASE("cli test: a trained model cuts the person out of a synthetic photo", "[tools][test]") {
  static ScratchDir dir("cli_test_trained");
  static const std::string model = train_tiny_model(dir);
  constexpr int kPhotos = 4;
  std::vector<Portrait> photos;
  for (int i = 0; i < kPhotos; ++i)
    photos.push_back(write_photo(dir / "in" / ("person" + std::to_string(i) + ".png"), 90 + i));
  const Portrait& photo = photos[0];
  const fs::path out = dir / "out";

  SECTION("every output written; masks close to the ground truth; cut-out alpha = feathered mask") {
    const auto r = run_cli("test --model " + shell_arg(model) + " " + shell_arg(dir / "in") + " --out " + shell_arg(out) +
                           " --background \"#00FF00\" --json");
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    const json j = last_json(r.out);
    REQUIRE(j["images"].size() == kPhotos);
    CHECK(j["failed"].empty());
    double iou_sum = 0;
    for (int i = 0; i < kPhotos; ++i) {
      const json& img = j["images"][i];
      const std::string stem = "person" + std::to_string(i);
      INFO(stem);
      CHECK(img["size"] == json::array({96, 120}));
      for (const char* k : {"decode", "preprocess", "inference", "postprocess", "effects", "write", "total"})
        CHECK(img["timing_ms"][k].get<double>() >= 0);
      for (const char* kind : {"mask", "cutout", "replace", "blur", "preview"}) {
        INFO(kind);
        const fs::path p = out / (stem + "_" + kind + ".png");
        CHECK(img["outputs"][kind] == p.string());
        CHECK(fs::exists(p));
      }
      const cv::Mat mask = cv::imread((out / (stem + "_mask.png")).string(), cv::IMREAD_UNCHANGED);
      REQUIRE(mask.type() == CV_8UC1);
      REQUIRE(mask.size() == photos[i].image.size());
      const double score = iou(mask >= 128, photos[i].mask > 0);
      UNSCOPED_INFO(stem << " IoU " << score);
      CHECK(score > 0.4);
      iou_sum += score;
    }
    CHECK(iou_sum / kPhotos > 0.55);

    const cv::Mat mask = cv::imread((out / "person0_mask.png").string(), cv::IMREAD_UNCHANGED);

    // The same prediction in process: the PNG is its 8-bit probability, the cut-out's alpha its feathered matte.
    const auto predictor = open_predictor(model);
    const cv::Mat probability = predictor->predict(photo.image).probability;
    CHECK(cv::norm(mask, to_mask8(probability), cv::NORM_INF) <= 1);
    const cv::Mat alpha = feathered_alpha(probability, FeatherOptions{0.5f, 3});
    const cv::Mat cutout = cv::imread((out / "person0_cutout.png").string(), cv::IMREAD_UNCHANGED);
    REQUIRE(cutout.type() == CV_8UC4);
    CHECK(cv::norm(channel(cutout, 3), to_mask8(alpha), cv::NORM_INF) <= 1);
    cv::Mat cut_bgr;
    cv::cvtColor(cutout, cut_bgr, cv::COLOR_BGRA2BGR);
    CHECK(cv::norm(cut_bgr, photo.image, cv::NORM_INF) == 0);
    // Soft edges: the alpha has intermediate values, not just 0 and 255.
    const cv::Mat a8 = channel(cutout, 3);
    CHECK(cv::countNonZero((a8 > 10) & (a8 < 245)) > 20);

    const cv::Mat person = a8 == 255, background = a8 == 0;
    REQUIRE(cv::countNonZero(person) > 500);
    const cv::Mat replaced = cv::imread((out / "person0_replace.png").string());
    const cv::Mat blurred = cv::imread((out / "person0_blur.png").string());
    CHECK(differing(replaced, photo.image, person) == 0);
    CHECK(differing(blurred, photo.image, person) == 0);
    const cv::Mat green(photo.image.size(), CV_8UC3, cv::Scalar(0, 255, 0));
    CHECK(differing(replaced, green, background) == 0);
    const cv::Mat preview = cv::imread((out / "person0_preview.png").string());
    CHECK(preview.size() == cv::Size(3 * 120, 96));
  }

  SECTION("a large JPEG: reduced for the net, close to the full decode, one mask for every effect, turned as shown") {
    // 512 x 384: 1/4 still covers the 64 x 64 input. Stored as is, and turned by an EXIF orientation.
    Rng rng(17);
    const Portrait large = render_portrait(cv::Size(512, 384), {}, rng);
    std::vector<unsigned char> jpeg;
    REQUIRE(cv::imencode(".jpg", large.image, jpeg, {cv::IMWRITE_JPEG_QUALITY, 95}));
    const fs::path in = dir / "jpeg";
    fs::create_directories(in);
    write_bytes(in / "large.jpg", jpeg);
    write_bytes(in / "turned.jpg", with_exif_orientation(jpeg, 6));
    const auto masks = [&](const std::string& flags) {
      const fs::path o = dir / ("jpeg_out" + std::to_string(std::hash<std::string>()(flags)));
      const auto r = run_cli("test --model " + shell_arg(model) + " " + shell_arg(in) + " --out " + shell_arg(o) +
                             " " + flags + " --json");
      INFO(r.out);
      REQUIRE(r.exit_code == 0);
      CHECK(last_json(r.out)["images"][1]["size"] == json::array({512, 384}));  // turned: shown 384 wide
      return std::make_pair(cv::imread((o / "large_mask.png").string(), cv::IMREAD_UNCHANGED),
                            cv::imread((o / "turned_mask.png").string(), cv::IMREAD_UNCHANGED));
    };
    const auto [reduced, reduced_turned] = masks("--effect mask");
    const auto [full, full_turned] = masks("--effect mask --full-decode");
    const auto [all, all_turned] = masks("--effect all");
    REQUIRE(reduced.size() == cv::Size(512, 384));
    REQUIRE(reduced_turned.size() == cv::Size(384, 512));
    CHECK(cv::norm(reduced, all, cv::NORM_INF) == 0);
    CHECK(cv::norm(reduced_turned, all_turned, cv::NORM_INF) == 0);
    CHECK(cv::norm(reduced, full, cv::NORM_INF) > 0);  // the reduced decode was used
    // The same person where the full decode puts them, upright and turned alike.
    const double same = iou(reduced >= 128, full >= 128), same_turned = iou(reduced_turned >= 128, full_turned >= 128);
    UNSCOPED_INFO("IoU with the full decode " << same << ", turned " << same_turned);
    CHECK(same > 0.95);
    CHECK(same_turned > 0.95);
    CHECK(iou(reduced >= 128, large.mask > 0) > 0.4);
  }

  SECTION("--format jpg and webp: the same pictures, the cut-out kept exact") {
    const auto run = [&](const std::string& format) {
      const fs::path o = dir / ("format_" + format);
      const auto r = run_cli("test --model " + shell_arg(model) + " " + shell_arg(dir / "in" / "person0.png") +
                             " --out " + shell_arg(o) + " --background \"#00FF00\" --json --format " + format);
      INFO(r.out);
      REQUIRE(r.exit_code == 0);
      return last_json(r.out)["images"][0]["outputs"];
    };
    const json png = run("png"), jpg = run("jpg"), webp = run("webp");
    const auto read = [](const json& outputs, const char* kind) {
      const std::string path = outputs[kind].get<std::string>();
      const cv::Mat m = cv::imread(path, cv::IMREAD_UNCHANGED);
      INFO(path);
      REQUIRE(!m.empty());
      return std::make_pair(fs::path(path).extension().string(), m);
    };
    const auto mean_difference = [](cv::Mat a, const cv::Mat& b) {
      if (a.channels() == 3 && b.channels() == 1) cv::cvtColor(a, a, cv::COLOR_BGR2GRAY);  // WebP has no grey
      REQUIRE(a.size() == b.size());
      REQUIRE(a.type() == b.type());
      cv::Mat d;
      cv::absdiff(a, b, d);
      const cv::Scalar m = cv::mean(d);
      return (m[0] + m[1] + m[2] + m[3]) / a.channels();
    };
    for (const json* outputs : {&png, &jpg, &webp}) {  // the mask is data: PNG, exact, whatever the format
      const auto [ext, mask] = read(*outputs, "mask");
      CHECK(ext == ".png");
      CHECK(cv::norm(mask, read(png, "mask").second, cv::NORM_INF) == 0);
    }
    for (const char* kind : {"replace", "blur", "preview"}) {
      INFO(kind);
      const auto [png_ext, expected] = read(png, kind);
      const auto [jpg_ext, lossy] = read(jpg, kind);
      const auto [webp_ext, lossy_webp] = read(webp, kind);
      CHECK(png_ext == ".png");
      CHECK(jpg_ext == ".jpg");
      CHECK(webp_ext == ".webp");
      CHECK(mean_difference(lossy, expected) < 6);  // quality 90 on a small, textured synthetic picture
      CHECK(mean_difference(lossy_webp, expected) < 6);
    }
    const auto [png_ext, cutout] = read(png, "cutout");
    const auto [jpg_ext, cutout_of_jpg] = read(jpg, "cutout");
    const auto [webp_ext, cutout_webp] = read(webp, "cutout");
    CHECK(jpg_ext == ".png");  // JPEG holds no alpha
    CHECK(webp_ext == ".webp");
    CHECK(cv::norm(cutout_of_jpg, cutout, cv::NORM_INF) == 0);
    // Lossless with alpha: the same alpha, and the same colours wherever they show (libwebp may change the colour
    // of fully transparent pixels).
    REQUIRE(cutout_webp.type() == CV_8UC4);
    CHECK(cv::norm(channel(cutout_webp, 3), channel(cutout, 3), cv::NORM_INF) == 0);
    cv::Mat webp_bgr, png_bgr;
    cv::cvtColor(cutout_webp, webp_bgr, cv::COLOR_BGRA2BGR);
    cv::cvtColor(cutout, png_bgr, cv::COLOR_BGRA2BGR);
    CHECK(differing(webp_bgr, png_bgr, channel(cutout, 3) > 0) == 0);

    const auto r = run_cli("test --model " + shell_arg(model) + " " + shell_arg(dir / "in") + " --format gif");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.out, Catch::Matchers::Contains("--format") && Catch::Matchers::Contains("gif"));
  }

  SECTION("--format through the torch-free launcher: exactly the files named, a picture WebP cannot hold as PNG") {
    const std::string onnx = export_untrained(dir, "format_prisma", {{"net", "prisma_net"}}).string() + ".onnx";
    const auto files_written = [&](const fs::path& photo, const std::string& format) {
      const fs::path o = dir / ("launcher_" + format + "_" + photo.stem().string());
      fs::remove_all(o);
      const auto r = run_cli("test --model " + shell_arg(onnx) + " " + shell_arg(photo) + " --out " + shell_arg(o) +
                             " --format " + format);
      INFO(r.out);
      REQUIRE(r.exit_code == 0);
      std::set<std::string> names;
      for (const auto& e : fs::directory_iterator(o)) names.insert(e.path().filename().string());
      return names;
    };
    CHECK(files_written(dir / "in" / "person0.png", "jpeg") ==
          std::set<std::string>{"person0_mask.png", "person0_cutout.png", "person0_replace.jpg", "person0_blur.jpg",
                                "person0_preview.jpg"});
    // 5462 wide: the preview (three side by side) is 16386 wide, over WebP's 16383.
    const fs::path wide = dir / "wide" / "wide.png";
    fs::create_directories(wide.parent_path());
    REQUIRE(cv::imwrite(wide.string(), cv::Mat(12, 5462, CV_8UC3, cv::Scalar(90, 140, 200))));
    CHECK(files_written(wide, "webp") == std::set<std::string>{"wide_mask.png", "wide_cutout.webp",
                                                               "wide_replace.webp", "wide_blur.webp",
                                                               "wide_preview.png"});
  }

  SECTION("one effect, a background photo, harmonisation, and the text report") {
    const fs::path out = dir / "out_replace";
    const fs::path bg = dir / "bg.png";
    cv::Mat wide(50, 300, CV_8UC3, cv::Scalar(200, 120, 40));
    REQUIRE(cv::imwrite(bg.string(), wide));
    const auto r = run_cli("test --model " + shell_arg(model) + " " + shell_arg(dir / "in") + " --out " + shell_arg(out) +
                           " --effect replace --harmonize color --feather 0 --threshold 0.4 --background " +
                           shell_arg(bg));
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Matchers::Contains("inference") && Catch::Matchers::Contains("4 photo(s) processed"));
    CHECK(fs::exists(out / "person3_replace.png"));
    CHECK_FALSE(fs::exists(out / "person3_mask.png"));
    CHECK(cv::imread((out / "person3_replace.png").string()).size() == photo.image.size());
  }
}

TEST_CASE("cli test: bad input is reported, the other photos are still processed", "[tools][test]") {
  ScratchDir dir("cli_test_bad");
  const std::string model = export_untrained(dir, "prisma", {{"net", "prisma_net"}}).string() + ".pt";
  const fs::path in = dir / "in";
  write_photo(in / "a.png", 1);
  write_photo(in / "c.jpg", 2);
  write_text(in / "b_broken.jpg", "not an image");
  const fs::path out = dir / "out";

  SECTION("an unreadable image in a directory") {
    const auto r = run_cli("test --model " + shell_arg(model) + " " + shell_arg(in) + " --out " + shell_arg(out) +
                           " --effect mask");
    INFO(r.out);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Matchers::Contains("b_broken.jpg") && Catch::Matchers::Contains("1 failed"));
    CHECK(fs::exists(out / "a_mask.png"));
    CHECK(fs::exists(out / "c_mask.png"));
    CHECK_FALSE(fs::exists(out / "b_broken_mask.png"));
  }
  SECTION("a missing image, with --json") {
    const auto r = run_cli("test --model " + shell_arg(model) + " " + shell_arg(in / "a.png") + " " +
                           shell_arg(in / "nope.png") + " --out " + shell_arg(out) + " --effect cutout --json");
    INFO(r.out);
    CHECK(r.exit_code == 1);
    const json j = last_json(r.out);
    CHECK(j["images"].size() == 1);
    REQUIRE(j["failed"].size() == 1);
    CHECK_THAT(j["failed"][0]["error"].get<std::string>(), Catch::Matchers::Contains("nope.png"));
  }
  SECTION("a background that cannot be read") {
    const auto r = run_cli("test --model " + shell_arg(model) + " " + shell_arg(in) + " --out " + shell_arg(out) +
                           " --background " + shell_arg(dir / "missing_bg.jpg"));
    INFO(r.out);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Matchers::Contains("missing_bg.jpg"));
    CHECK_FALSE(fs::exists(out / "a_mask.png"));
  }
  SECTION("a malformed background colour") {
    const auto r = run_cli("test --model " + shell_arg(model) + " " + shell_arg(in) + " --background \"#12345\"");
    INFO(r.out);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.out, Catch::Matchers::Contains("#12345"));
  }
  SECTION("--threshold out of range") {
    for (const char* t : {"1.5", "0", "-0.2", "1"}) {
      const auto r = run_cli("test --model " + shell_arg(model) + " " + shell_arg(in) + " --threshold " + t);
      INFO(r.out);
      CHECK(r.exit_code == 2);
      CHECK_THAT(r.out, Catch::Matchers::Contains("--threshold"));
    }
  }
  SECTION("unknown effect, missing model") {
    auto r = run_cli("test --model " + shell_arg(model) + " " + shell_arg(in) + " --effect sparkle");
    INFO(r.out);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.out, Catch::Matchers::Contains("sparkle"));
    r = run_cli("test --model " + shell_arg(dir / "none.ckpt") + " " + shell_arg(in));
    INFO(r.out);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.out, Catch::Matchers::Contains("none.ckpt"));
  }
}

TEST_CASE("cli test: two inference workers, and fast PNGs, write what one worker writes, in input order",
          "[tools][test]") {
  ScratchDir dir("cli_test_workers");
  const std::string model = export_untrained(dir, "prisma", {{"net", "prisma_net"}}).string() + ".onnx";
  for (int i = 0; i < 7; ++i) write_photo(dir / "in" / ("p" + std::to_string(i) + ".png"), 40 + i);
  // One worker on one thread, and two workers on one thread each: the same kernels on the same inputs.
  const auto run = [&](const std::string& out, const std::string& flags) {
    const auto r = run_cli("test --model " + shell_arg(model) + " " + shell_arg(dir / "in") + " --effect all --json --out " +
                           shell_arg(dir / out) + " " + flags);
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    return last_json(r.out);
  };
  const json one = run("one", "--workers 1 --threads 1");
  const json two = run("two", "--threads 2");  // the default for 4 photos or more on 2 threads: 2 workers
  run("fast", "--workers 1 --threads 1 --compression fast");
  CHECK(one["workers"] == 1);
  CHECK(two["workers"] == 2);
  REQUIRE(two["images"].size() == 7);
  for (int i = 0; i < 7; ++i) {
    const std::string stem = "p" + std::to_string(i);
    INFO(stem);
    CHECK(fs::path(two["images"][i]["input"].get<std::string>()).stem() == stem);
    for (const char* kind : {"mask", "cutout", "replace", "blur", "preview"}) {
      INFO(kind);
      const std::string name = stem + "_" + kind + ".png";
      const cv::Mat a = cv::imread((dir / "one" / name).string(), cv::IMREAD_UNCHANGED);
      REQUIRE_FALSE(a.empty());
      for (const char* other : {"two", "fast"}) {
        const cv::Mat b = cv::imread((dir / other / name).string(), cv::IMREAD_UNCHANGED);
        REQUIRE(a.size() == b.size());
        REQUIRE(a.type() == b.type());
        CHECK(cv::norm(a, b, cv::NORM_INF) == 0);
      }
    }
  }
  // The fast coder did write them: the same pixels in other bytes.
  CHECK(read_file_bytes((dir / "one" / "p0_cutout.png").string()) !=
        read_file_bytes((dir / "fast" / "p0_cutout.png").string()));
  const std::vector<std::pair<std::string, std::string>> bad_values{
      {"--workers", "-1"}, {"--workers", "65"}, {"--workers", "two"}, {"--compression", "best"}};
  for (const auto& [option, bad] : bad_values) {
    const auto r = run_cli("test --model " + shell_arg(model) + " " + shell_arg(dir / "in") + " --out " +
                           shell_arg(dir / "bad") + " " + option + " " + bad);
    INFO(r.out);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.out, Catch::Matchers::Contains(option));
  }
}

TEST_CASE("cli test: the reference photos, through the OpenCV DNN engine", "[tools][test][reference]") {
  const fs::path ref = reference_dir_or_skip();
  ScratchDir dir("cli_test_reference");
  const std::string model = export_untrained(dir, "prisma", {{"net", "prisma_net"}}).string() + ".onnx";
  const fs::path out = dir / "out";
  const auto r = run_cli("test --model " + shell_arg(model) + " " + shell_arg(ref / "photos") + " --out " + shell_arg(out) +
                         " --background " + shell_arg(ref / "backgrounds" / "beach.jpg") + " --json");
  INFO(r.out);
  const json j = last_json(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(j["images"].size() == 6);
  for (const auto& img : j["images"]) {
    const cv::Mat src = cv::imread(img["input"].get<std::string>());
    const cv::Mat mask = cv::imread(img["outputs"]["mask"].get<std::string>(), cv::IMREAD_UNCHANGED);
    CHECK(mask.size() == src.size());
    CHECK(fs::exists(img["outputs"]["preview"].get<std::string>()));
  }
}

TEST_CASE("cli test: a directory of 10000 photos is processed whole in flat memory", "[tools][test]") {
  ScratchDir dir("cli_test_many");
  // A 9k-parameter net at 32x32 and 8x8 photos: the per-photo work is small, what grows is the bookkeeping.
  const std::string cfg = write_json(dir / "tiny.json", {{"model", {{"net", "mobile_unet_v3"}, {"width_multiplier", 0.05},
                                                                    {"input_size", {32, 32}}}}});
  REQUIRE(run_cli("export --config " + shell_arg(cfg) + " --no-verify --format onnx --out " + shell_arg(dir / "model" / "tiny.onnx")).exit_code == 0);
  const cv::Mat photo(8, 8, CV_8UC3, cv::Scalar(20, 120, 220));
  for (const auto& [folder, count] : {std::pair{"few", 100}, std::pair{"many", 10000}}) {
    fs::create_directories(dir / folder);
    for (int i = 0; i < count; ++i) cv::imwrite((dir / folder / ("p" + std::to_string(i) + ".png")).string(), photo);
  }
  const auto run = [&](const std::string& folder) {
    const auto r = run_cli("test --model " + shell_arg(dir / "model" / "tiny.onnx") + " --effect mask --json --threads 1 --out " +
                           shell_arg(dir / (folder + "_out")) + " " + shell_arg(dir / folder));
    INFO(r.out.substr(0, 2000));
    REQUIRE(r.exit_code == 0);
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);
    return std::pair{last_json(r.out), usage.ru_maxrss};  // the largest child so far, KiB
  };
  const auto [few, few_rss] = run("few");
  const auto [many, many_rss] = run("many");
  CHECK(few.at("images").size() == 100);
  CHECK(many.at("images").size() == 10000);
  CHECK(many.at("failed").empty());
  CHECK(std::distance(fs::directory_iterator(dir / "many_out"), fs::directory_iterator()) == 10000);
  // 100 times the photos, the same peak: no result is kept (measured: 178 MB both; 214 MB for 10,000 when every
  // result was kept for --json).
  CHECK(many_rss - few_rss < 16 * 1024);
}
