// train_export_segment CONFIG RUN_DIR PHOTO OUT_DIR: trains CONFIG into RUN_DIR with progress callbacks, scores the
// last checkpoint on the config's test split, exports it as TorchScript and ONNX into OUT_DIR, segments PHOTO with
// every exported file (OUT_DIR/<file>_mask.png), and segments a batch and a short "video" of it.
#include <opencv2/imgcodecs.hpp>

#include <iostream>
#include <string>

#include "portraitseg/portraitseg.h"

namespace ps = portraitseg;

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: train_export_segment CONFIG RUN_DIR PHOTO OUT_DIR\n";
    return 2;
  }
  try {
    std::cout << "portraitseg " << ps::library_version() << " (headers " << PORTRAITSEG_VERSION << ")\n";
    ps::set_log_level("warn");

    // A config file with changes, validated at every step.
    ps::Config config = ps::Config::load(argv[1]);
    config.set(std::string("train.run_dir=") + argv[2]);

    int steps = 0;
    const auto options = ps::TrainOptions()
                             .threads(2)
                             .on_step([&](const ps::StepProgress&) { ++steps; })
                             .on_epoch([](const ps::EpochProgress& p) {
                               std::cout << "epoch " << p.epoch << "/" << p.epochs << " lr " << p.lr;
                               if (p.validated) std::cout << " miou_per_image " << p.miou_per_image;
                               std::cout << "\n";
                             });
    const ps::TrainSummary trained = ps::train(config, options);
    std::cout << "trained " << trained.epochs_completed << " epochs, " << steps << " steps\n";

    const ps::EvalSummary scores = ps::evaluate(trained.last_checkpoint(), ps::EvalOptions().config(argv[1]));
    std::cout << "test split: " << scores.images << " images, miou_per_image " << scores.miou_per_image << "\n";

    const std::string out = argv[4];
    const ps::ExportSummary exported = ps::export_model(trained.last_checkpoint(), ps::ExportOptions().out(out));
    const cv::Mat photo = cv::imread(argv[3], cv::IMREAD_COLOR);
    if (photo.empty()) throw ps::RuntimeError(std::string(argv[3]) + ": cannot read the image");
    for (const std::string& file : exported.files) {
      ps::Segmenter segmenter(file);
      const std::string mask = file + "_mask.png";
      if (!cv::imwrite(mask, ps::to_mask8(segmenter.segment(photo)))) throw ps::RuntimeError(mask + ": cannot write");
      std::cout << "segmented with " << file << " (" << segmenter.info().engine << ")\n";
    }

    // A batch of photos in one call, and frames of a clip with the state carried from frame to frame.
    ps::Segmenter checkpoint(trained.last_checkpoint());
    const std::vector<cv::Mat> batch = checkpoint.segment(std::vector<cv::Mat>{photo, photo});
    ps::VideoSegmenter video(trained.last_checkpoint(), ps::SegmenterOptions(), ps::VideoOptions().every(2));
    for (int frame = 0; frame < 3; ++frame) video.next(photo);
    std::cout << "batch of " << batch.size() << ", 3 video frames\n";
    return 0;
  } catch (const ps::ConfigError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const ps::RuntimeError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
