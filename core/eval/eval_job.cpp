#include "core/eval/eval_job.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "core/common/atomic_file.h"
#include "core/config/config.h"
#include "core/config/data_spec.h"
#include "core/common/errors.h"
#include "data/dataset.h"
#include "nets/registry.h"
#include "nets/segnet.h"

namespace pseg {
namespace {

struct ResolvedData {
  DataConfig config;
  EvalData description;
  int64_t config_channels = 0;  // input channels of the config's net; 0 with --data
  std::string config_net;
};

std::string channels_text(int64_t channels) {
  return std::to_string(channels) + (channels == 4 ? " input channels (image + prior)" : " input channels");
}

ResolvedData resolve_data(const EvalRequest& r) {
  if (r.config.empty() == r.data.empty()) throw ConfigError("eval: give either --config or --data (exactly one)");
  ResolvedData d;
  if (!r.data.empty()) {
    d.config = parse_data_specs(r.data);
    d.description.from = "--data";
    d.description.specs = r.data;
    return d;
  }
  if (r.split != "test" && r.split != "train")
    throw ConfigError("split: expected \"test\" or \"train\", got \"" + r.split + "\"");
  const Config config = load_config(r.config, r.overrides);
  d.config = config.data;
  if (d.config.train.empty() && d.config.test.empty()) throw ConfigError(r.config + ": data: no dataset configured");
  if (r.split == "test") {
    if (d.config.test.empty() && d.config.split.test_fraction == 0)
      throw ConfigError(r.config + ": no test split: data.test is empty and data.split.test_fraction is 0");
    if (!d.config.test.empty()) d.config.train.clear();  // not needed: skip decoding it
  } else {
    for (auto& s : d.config.train) s.weight = 1.0;  // every pair once
  }
  const SegNet net = create_net(config.model);
  d.config_channels = net->input_spec().channels;
  d.config_net = config.model.net;
  d.description.from = "config";
  d.description.config = r.config;
  d.description.split = r.split;
  return d;
}

EvalModel describe_model(const Predictor& p) {
  const ModelMeta& m = p.meta();
  EvalModel e;
  e.path = p.path();
  e.engine = p.engine();
  e.net = m.net;
  e.description = m.description;
  e.channels = m.channels;
  e.height = m.height;
  e.width = m.width;
  e.color_order = m.color_order;
  e.normalization = m.normalization;
  e.resize = m.resize;
  e.interpolation = to_string(p.options().interpolation);
  e.empty_prior = m.channels == 4;
  return e;
}

void log_progress(size_t done, size_t total) {
  const size_t step = std::max<size_t>(1, total / 10);
  if (done % step == 0 || done == total) spdlog::info("eval: {}/{} images", done, total);
}

}  // namespace

EvalReport run_eval(const EvalRequest& r) {
  ResolvedData data = resolve_data(r);
  std::unique_ptr<Predictor> predictor = open_predictor(r.model, r.predictor);
  const ModelMeta& meta = predictor->meta();
  if (data.config_channels != 0 && data.config_channels != meta.channels)
    throw ConfigError("eval: model " + r.model + " takes " + channels_text(meta.channels) + " but config " + r.config +
                      " describes a " + data.config_net + " taking " + channels_text(data.config_channels) +
                      ": use the config the model was trained with, or name the data with --data");
  if (meta.channels == 4)
    spdlog::info("eval: {} has a prior channel; still images are evaluated with an empty prior", r.model);

  const Dataset dataset = open_dataset(data.config);
  const auto& split = r.split == "train" && !r.config.empty() ? dataset.train : dataset.test;
  const SplitReport& split_report = r.split == "train" && !r.config.empty() ? dataset.report.train : dataset.report.test;
  if (split->size() == 0)
    throw ConfigError("eval: the " + std::string(r.config.empty() ? "--data" : r.split) + " split has no images");
  for (const auto& s : split_report.sources) data.description.sources.push_back(s.name);
  data.description.rejected = split_report.rejected.size();

  EvalReport report;
  report.result = evaluate(*predictor, *split, r.options, r.progress ? r.progress : EvalProgress(log_progress));
  report.threshold = r.options.threshold;
  report.boundary_tolerance = r.options.boundary_tolerance;
  report.model = describe_model(*predictor);
  report.data = data.description;
  if (!r.sheet.empty() && !report.result.worst.empty()) {
    write_image_atomic(r.sheet, render_contact_sheet(report.result.worst));
    report.sheet = r.sheet;
  }
  if (!r.per_image_csv.empty()) write_per_image_csv(r.per_image_csv, report.result);
  if (!r.json_out.empty()) write_file_atomic(r.json_out, to_json(report).dump(2) + "\n");
  return report;
}

}  // namespace pseg
