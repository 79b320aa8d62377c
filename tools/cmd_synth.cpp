// portraitseg synth: write a synthetic portrait dataset (rendered figures, or real foregrounds composited onto
// background photos) in the PaddleSeg list layout.
#include <cstdio>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "data/synth.h"
#include "tools/command.h"

namespace pseg::cli {
namespace {

struct SynthArgs {
  std::string out, size = "256", backgrounds, composite_fg, format = "jpg";
  int count = 100;
  uint64_t seed = 0;
  double test_fraction = 0.2;
  bool json = false;
};

int run_synth(const SynthArgs& a) {
  SynthOptions o;
  o.out = a.out;
  o.count = a.count;
  const auto [height, width] = parse_size_hw(a.size);
  o.height = static_cast<int>(height);
  o.width = static_cast<int>(width);
  o.seed = a.seed;
  o.test_fraction = a.test_fraction;
  o.backgrounds = a.backgrounds;
  o.composite_fg = a.composite_fg;
  o.image_ext = "." + a.format;
  const SynthSummary s = write_synth_dataset(o);
  if (a.json) {
    print_line(nlohmann::json{{"out", a.out}, {"train", s.train}, {"test", s.test}, {"backgrounds", s.backgrounds}}
                   .dump());
    return 0;
  }
  std::printf("wrote %zu train + %zu test samples to %s (train.txt, test.txt; masks 0/1)\n", s.train, s.test,
              a.out.c_str());
  return 0;
}

}  // namespace

void register_synth(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<SynthArgs>();
  auto* sub = add_command(app, "synth");
  sub->add_option("--out", args->out, "output directory")->required();
  sub->add_option("--count", args->count, "number of samples (default 100)")->check(CLI::PositiveNumber);
  sub->add_option("--size", args->size, "image size HxW (height x width) or S (default 256)");
  sub->add_option("--seed", args->seed, "random seed (default 0)");
  sub->add_option("--test-fraction", args->test_fraction, "fraction listed in test.txt (default 0.2)")
      ->check(CLI::Range(0.0, 0.99));
  sub->add_option("--backgrounds", args->backgrounds, "folder of background photos")->check(CLI::ExistingDirectory);
  sub->add_option("--composite-fg", args->composite_fg,
                  "folder with images/ and masks/: composite these foregrounds instead of rendering figures")
      ->check(CLI::ExistingDirectory);
  sub->add_option("--format", args->format, "image file format: jpg or png (default jpg)")
      ->check(CLI::IsMember({"jpg", "png"}));
  sub->add_flag("--json", args->json, "print exactly one JSON object");
  add_runtime_options(sub, ctx);
  sub->callback([args, &ctx] { ctx.run = [args] { return run_synth(*args); }; });
}

}  // namespace pseg::cli
