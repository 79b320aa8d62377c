// The Predictor: the five engines agree on the same weights, output comes back at the input's size, the square
// padding is undone, preprocessing matches the training evaluation pipeline, and bad inputs are refused.
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "core/datasets/data_pipeline.h"
#include "core/infer/predictor.h"
#include "core/infer/predictor_engines.h"
#include "data/pipeline.h"
#include "tests/core/predictor_test_util.h"
#include "tests/test_support.h"

using namespace pseg;
using namespace pseg::test;

namespace {

double max_abs_diff(const cv::Mat& a, const cv::Mat& b) {
  REQUIRE(a.size == b.size);
  REQUIRE(a.type() == b.type());
  cv::Mat d;
  cv::absdiff(a.reshape(1, 1), b.reshape(1, 1), d);
  double hi = 0;
  cv::minMaxLoc(d, nullptr, &hi);
  return hi;
}

struct Engines {
  std::unique_ptr<Predictor> libtorch, torchscript, opencv, onnx_torch, onednn;
};

Engines open_all(const TinyModel& m, const PredictorOptions& o = {}) {
  PredictorOptions opencv = o, onnx_torch = o, onednn = o;
  opencv.engine = "opencv";
  onnx_torch.engine = "onnx-torch";
  onednn.engine = "onednn";
  return {open_predictor(m.ckpt, o), open_predictor(m.pt, o), open_predictor(m.onnx, opencv),
          open_predictor(m.onnx, onnx_torch), open_predictor(m.onnx, onednn)};
}

}  // namespace

TEST_CASE("the five engines agree and answer at the input's size", "[core][predictor]") {
  ScratchDir dir("predictor_agree");
  const TinyModel model = write_tiny_model(dir.path(), "prisma", kPrisma);
  Engines e = open_all(model);
  CHECK(e.libtorch->engine() == "libtorch");
  CHECK(e.torchscript->engine() == "torchscript");
  CHECK(e.opencv->engine() == "opencv");
  CHECK(e.onnx_torch->engine() == "onnx-torch");
  CHECK(e.onednn->engine() == "onednn");
  CHECK(e.opencv->meta().color_order == "rgb");
  CHECK(e.opencv->meta().channels == 3);
  for (const cv::Size size : {cv::Size(71, 45), cv::Size(33, 97), cv::Size(64, 64), cv::Size(150, 20)}) {
    INFO(size.width << "x" << size.height);
    const cv::Mat img = test_image(size.height, size.width);
    const Prediction a = e.libtorch->predict(img);
    const Prediction b = e.torchscript->predict(img);
    const Prediction c = e.opencv->predict(img);
    const Prediction d = e.onnx_torch->predict(img);
    const Prediction o = e.onednn->predict(img);
    CHECK(a.probability.size() == size);
    CHECK(a.probability.type() == CV_32FC1);
    CHECK(max_abs_diff(a.probability, b.probability) < 1e-4);
    CHECK(max_abs_diff(a.probability, c.probability) < 1e-4);
    CHECK(max_abs_diff(a.probability, d.probability) < 1e-4);
    CHECK(max_abs_diff(a.probability, o.probability) < 1e-4);
    double lo = 0, hi = 0;
    cv::minMaxLoc(a.probability, &lo, &hi);
    CHECK(lo >= 0.0);
    CHECK(hi <= 1.0);
    CHECK(hi > lo);  // not a constant map
    CHECK(a.timing.inference_ms > 0);
  }
}

// train.channels_last also sets the memory format the libtorch engine runs a checkpoint in. Both formats must give
// the same probabilities, for nets with depthwise and transposed convolutions, squeeze-excite pooling and PReLU; the
// ONNX export in onednn is the independent reference. (An untrained DeepLabV3's activations vanish over its depth:
// every probability is 0.5, which would compare nothing.)
TEST_CASE("the libtorch engine runs channels-last as the net was trained and agrees with contiguous",
          "[core][predictor]") {
  ScratchDir dir("predictor_channels_last");
  const std::vector<std::pair<nlohmann::json, std::string>> nets = {
      {kPortraitVideo, "pred."},
      {{{"net", "mobile_unet_v3"}, {"input_size", {64, 64}}}, "head."},
      {{{"net", "mobile_unet"}, {"decoder", "deconv"}, {"input_size", {64, 64}}}, "head."},
      {{{"net", "slim_net"}, {"input_size", {64, 64}}}, "out."}};
  const cv::Mat img = test_image(80, 56);
  for (const auto& [model, head] : nets) {
    const std::string name = model["net"].get<std::string>();
    INFO(name);
    const std::string nhwc = write_tiny_checkpoint(dir.path(), name + "_nhwc", {{"model", model}}, head);
    const std::string nchw = write_tiny_checkpoint(
        dir.path(), name + "_nchw", {{"model", model}, {"train", {{"channels_last", false}}}}, head);
    ExportOptions e;
    e.model = nhwc;
    e.out = dir.path().string();
    e.format = ExportFormat::Onnx;
    e.verify = false;
    run_export(e);
    PredictorOptions onednn;
    onednn.engine = "onednn";
    const Prediction a = open_predictor(nhwc)->predict(img);
    const Prediction b = open_predictor(nchw)->predict(img);
    const Prediction o = open_predictor((dir.path() / (name + "_nhwc.onnx")).string(), onednn)->predict(img);
    CHECK(max_abs_diff(a.probability, b.probability) < 1e-5);
    CHECK(max_abs_diff(a.probability, o.probability) < 1e-4);
    double lo = 0, hi = 0;
    cv::minMaxLoc(a.probability, &lo, &hi);
    CHECK(hi - lo > 0.05);  // desaturated: the comparison sees real values, not 0 and 1 everywhere
  }
}

TEST_CASE("an fp32 ONNX file opens in onednn, and in opencv where onednn cannot compile the graph", "[core][predictor]") {
  ScratchDir dir("predictor_fallback");
  const TinyModel prob = write_tiny_model(dir.path(), "prob", kPrisma);
  CHECK(open_predictor(prob.onnx)->engine() == "onednn");
  std::filesystem::create_directories(dir / "mask");
  const TinyModel mask = write_tiny_model(dir / "mask", "mask", kPrisma, ExportHead::Mask);
  CHECK(open_predictor(mask.onnx)->engine() == "opencv");  // the mask head's Greater
  PredictorOptions onednn;
  onednn.engine = "onednn";
  CHECK_THROWS_WITH(open_predictor(mask.onnx, onednn), Catch::Contains("Greater") && Catch::Contains(mask.onnx));
  // A file no engine reads: the preferred engine's error, naming the file.
  const std::string broken = (dir / "broken.onnx").string();
  write_text(broken, "not an onnx file");
  CHECK_THROWS_WITH(open_predictor(broken), Catch::Contains(broken));
}

TEST_CASE("logits and mask heads come back as probabilities", "[core][predictor]") {
  ScratchDir dir("predictor_heads");
  const TinyModel prob = write_tiny_model(dir.path(), "prob", kPortraitVideo, ExportHead::Probability, "pred.");
  std::filesystem::create_directories(dir / "logits");
  std::filesystem::create_directories(dir / "mask");
  const TinyModel logits = write_tiny_model(dir / "logits", "logits", kPortraitVideo, ExportHead::Logits, "pred.");
  const TinyModel mask = write_tiny_model(dir / "mask", "mask", kPortraitVideo, ExportHead::Mask, "pred.");
  const cv::Mat img = test_image(50, 70);
  const cv::Mat ref = open_predictor(prob.ckpt)->predict(img).probability;
  for (const auto& path : {logits.pt, logits.onnx}) {
    INFO(path);
    auto p = open_predictor(path);
    CHECK(p->meta().output == ExportHead::Logits);
    CHECK(p->meta().logit_channels == 2);
    CHECK(max_abs_diff(p->predict(img).probability, ref) < 1e-4);
  }
  // A mask head is the thresholded probability, as 0/1.
  const cv::Mat blob = open_predictor(prob.ckpt)->preprocess(img);
  const cv::Mat ref_blob = open_predictor(prob.ckpt)->infer(blob);
  for (const auto& path : {mask.pt, mask.onnx}) {
    INFO(path);
    auto p = open_predictor(path);
    const cv::Mat got = p->infer(blob);
    const float* g = got.ptr<float>();
    const float* r = ref_blob.ptr<float>();
    size_t decided = 0;
    for (size_t i = 0; i < got.total(); ++i) {
      if (std::abs(r[i] - 0.5f) < 1e-4f) continue;  // engines may round these either way
      ++decided;
      REQUIRE(g[i] == (r[i] > 0.5f ? 1.f : 0.f));
    }
    CHECK(decided > got.total() / 2);
  }
}

TEST_CASE("a prior channel model runs with and without a prior", "[core][predictor]") {
  ScratchDir dir("predictor_prior");
  const TinyModel model = write_tiny_model(dir.path(), "video", kPortraitVideo, ExportHead::Probability, "pred.");
  Engines e = open_all(model);
  REQUIRE(e.opencv->meta().channels == 4);
  REQUIRE(e.opencv->meta().prior_channel);
  REQUIRE(e.opencv->meta().resize == "pad_to_square");
  const cv::Mat img = test_image(60, 90, 2);
  cv::Mat prior(30, 45, CV_32FC1);  // another size than the image: resized like it
  cv::randu(prior, 0.f, 1.f);
  const cv::Mat none = e.libtorch->predict(img).probability;
  const cv::Mat with = e.libtorch->predict(img, prior).probability;
  CHECK(with.size() == img.size());
  CHECK(max_abs_diff(none, with) > 1e-3);  // the prior reaches the net
  CHECK(max_abs_diff(none, e.libtorch->predict(img, cv::Mat::zeros(60, 90, CV_32FC1)).probability) < 1e-6);
  for (Predictor* p : {e.torchscript.get(), e.opencv.get(), e.onnx_torch.get(), e.onednn.get()}) {
    INFO(p->engine());
    CHECK(max_abs_diff(p->predict(img).probability, none) < 1e-4);
    CHECK(max_abs_diff(p->predict(img, prior).probability, with) < 1e-4);
  }
  // The prior plane is the unnormalised prior; the padding rows of a landscape image hold 0.
  const cv::Mat blob = e.libtorch->preprocess(img, cv::Mat(60, 90, CV_32FC1, cv::Scalar(0.75f)));
  const float* plane = blob.ptr<float>() + 3 * 64 * 64;
  CHECK(plane[0] == 0.f);                 // top padding band
  CHECK(plane[32 * 64 + 32] == Approx(0.75f));  // centre
}

TEST_CASE("pad_to_square is undone when the probability goes back", "[core][predictor]") {
  ScratchDir dir("predictor_pad");
  const TinyModel model = write_tiny_model(dir.path(), "video", kPortraitVideo, ExportHead::Probability, "pred.");
  auto p = open_predictor(model.ckpt);
  // A portrait 40 x 80 image pads to an 80 x 80 square with 20 columns each side: in the 64 x 64 net input the
  // content is columns 16..47. A blob that is 1 there and 0 elsewhere must come back as all ones.
  const int dims[4] = {1, 1, 64, 64};
  cv::Mat blob(4, dims, CV_32F, cv::Scalar(0.f));
  for (int y = 0; y < 64; ++y)
    for (int x = 16; x < 48; ++x) blob.ptr<float>()[y * 64 + x] = 1.f;
  const cv::Mat back = p->postprocess(blob, cv::Size(40, 80));
  REQUIRE(back.size() == cv::Size(40, 80));
  double lo = 0;
  cv::minMaxLoc(back(cv::Rect(1, 0, 38, 80)), &lo);
  CHECK(lo > 0.99);
  // And preprocessing put the pad value in the side columns: (128 - mean) * scale, BGR order.
  const cv::Mat in = p->preprocess(test_image(80, 40));
  const ModelMeta& m = p->meta();
  CHECK(in.ptr<float>()[10 * 64 + 2] == Approx((m.pad_value - m.mean[0]) * m.scale[0]));
  CHECK(in.ptr<float>()[64 * 64 + 10 * 64 + 61] == Approx((m.pad_value - m.mean[1]) * m.scale[1]));
}

TEST_CASE("preprocessing matches the training evaluation pipeline", "[core][predictor]") {
  ScratchDir dir("predictor_pipeline");
  // Stretch/RGB with bilinear, and pad_to_square/BGR/prior with bicubic: the training Eval pipeline's rules.
  for (const auto& [model_json, interpolation] : {std::pair{kPrisma, ResizeInterpolation::Linear},
                                                  std::pair{kPortraitVideo, ResizeInterpolation::Cubic}}) {
    const std::string name = model_json["net"].get<std::string>();
    INFO(name);
    const TinyModel model = write_tiny_model(dir.path(), name, model_json);
    PredictorOptions o;
    o.interpolation = interpolation;
    auto p = open_predictor(model.ckpt, o);
    const LoadedCheckpoint ckpt = load_checkpoint(model.ckpt);
    const InputFormat format = input_format_for(ckpt.net->input_spec());
    const ExamplePipeline pipeline(AugmentConfig{}, format, PipelineMode::Eval);
    Sample s;
    s.image = test_image(57, 83, 1);
    s.label = cv::Mat::zeros(s.image.size(), CV_8UC1);
    s.id = "test";
    Rng rng(0);
    const Batch batch = collate({pipeline.make(s, rng)}, format);
    const cv::Mat expected = blob_from_tensor(batch.input);
    CHECK(max_abs_diff(p->preprocess(s.image), expected) < 1e-5);
  }
}

TEST_CASE("auto interpolation is area when shrinking and linear when enlarging", "[core][predictor]") {
  ScratchDir dir("predictor_interp");
  const TinyModel model = write_tiny_model(dir.path(), "prisma", kPrisma);
  auto with = [&](ResizeInterpolation i) {
    PredictorOptions o;
    o.interpolation = i;
    return open_predictor(model.onnx, o);
  };
  auto autom = with(ResizeInterpolation::Auto), area = with(ResizeInterpolation::Area),
       linear = with(ResizeInterpolation::Linear);
  const cv::Mat big = test_image(200, 150), small = test_image(40, 30);
  CHECK(max_abs_diff(autom->preprocess(big), area->preprocess(big)) == 0);
  CHECK(max_abs_diff(autom->preprocess(big), linear->preprocess(big)) > 0);
  CHECK(max_abs_diff(autom->preprocess(small), linear->preprocess(small)) == 0);
  CHECK(parse_resize_interpolation("cubic") == ResizeInterpolation::Cubic);
  CHECK_THROWS_AS(parse_resize_interpolation("nearest"), std::invalid_argument);
}

TEST_CASE("bad inputs are refused with clear errors", "[core][predictor]") {
  ScratchDir dir("predictor_bad");
  const TinyModel model = write_tiny_model(dir.path(), "video", kPortraitVideo, ExportHead::Probability, "pred.");
  auto p = open_predictor(model.pt);
  CHECK_THROWS_AS(p->predict(cv::Mat()), std::invalid_argument);
  CHECK_THROWS_AS(p->predict(cv::Mat::zeros(10, 10, CV_8UC1)), std::invalid_argument);
  CHECK_THROWS_AS(p->predict(cv::Mat::zeros(10, 10, CV_32FC3)), std::invalid_argument);
  CHECK_THROWS_AS(p->predict(test_image(10, 10), cv::Mat::zeros(10, 10, CV_8UC1)), std::invalid_argument);
  const int wrong[4] = {1, 3, 64, 64};
  CHECK_THROWS_AS(p->infer(cv::Mat(4, wrong, CV_32F, cv::Scalar(0))), std::invalid_argument);

  CHECK_THROWS_WITH(open_predictor((dir / "missing.onnx").string()), Catch::Contains("no such model file"));
  CHECK_THROWS_AS(open_predictor((dir / "missing.onnx").string()), std::runtime_error);
  CHECK_THROWS_AS(open_predictor(model.pt + ".txt"), std::invalid_argument);
  for (const std::string ext : {".ckpt", ".pt", ".onnx"}) {
    const std::string garbage = (dir / ("garbage" + ext)).string();
    write_text(garbage, "not a model");
    INFO(ext);
    CHECK_THROWS_AS(open_predictor(garbage), std::runtime_error);
    CHECK_THROWS_WITH(open_predictor(garbage), Catch::Contains(garbage));
  }
}
