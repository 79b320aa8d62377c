// portraitseg data: open the configured dataset sources and report pairs, rejections, sizes and foreground.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/dataset_report.h"
#include "core/preview.h"
#include "tools/command.h"

namespace pseg::cli {
namespace {

struct DataArgs {
  std::string config;
  std::vector<std::string> sets;
  bool json = false;
  std::string preview;
  size_t preview_count = 8;
};

void add_data_options(CLI::App* sub, DataArgs& a) {
  sub->add_option("--config", a.config, "JSON config with a data section")->required()->check(CLI::ExistingFile);
  sub->add_option("--set", a.sets, "override a value: key.path=VALUE (e.g. data.on_error=skip)");
  sub->add_flag("--json", a.json, "print exactly one JSON object keyed by split");
  sub->add_option("--preview", a.preview, "also write a grid of augmented training examples to this image file");
  sub->add_option("--preview-count", a.preview_count, "examples in the preview (default 8)")->check(CLI::PositiveNumber);
}

void print_split(const char* name, const SplitReport& r) {
  std::printf("%s: %zu pairs, %zu samples per epoch, %zu rejected\n", name, r.pairs, r.samples, r.rejected.size());
  for (const auto& s : r.sources) {
    std::printf("  %s (weight %g): %zu pairs, %zu rejected", s.name.c_str(), s.weight, s.pairs, s.rejected);
    if (s.pairs)
      std::printf(", images %dx%d..%dx%d, foreground %.3f", s.min_size.width, s.min_size.height, s.max_size.width,
                  s.max_size.height, s.mean_foreground);
    std::printf("\n");
  }
  for (const auto& x : r.rejected) std::printf("  rejected %s\n", x.reason.c_str());
}

int run_data(const DataArgs& a) {
  const Config config = load_config(a.config, a.sets);
  if (config.data.train.empty() && config.data.test.empty())
    throw ConfigError(a.config + ": data: missing required section");
  const Dataset d = open_dataset(config.data);
  if (!a.preview.empty()) write_training_preview(config, *d.train, a.preview, a.preview_count);
  if (a.json) {
    print_line(to_json(d.report).dump());
    return 0;
  }
  print_split("train", d.report.train);
  print_split(d.report.held_out ? "test (held out of train)" : "test", d.report.test);
  return 0;
}

}  // namespace

void register_data(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<DataArgs>();
  auto* sub = app.add_subcommand("data", "Open the configured datasets and report on them");
  add_data_options(sub, *args);
  add_runtime_options(sub, ctx);
  sub->callback([args, &ctx] { ctx.run = [args] { return run_data(*args); }; });
}

}  // namespace pseg::cli
