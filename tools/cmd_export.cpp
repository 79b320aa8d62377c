// portraitseg export: write TorchScript and/or ONNX for a checkpoint (or a freshly initialised net from a config),
// verified against the eager model. Logic lives in core/exporter.
#include <cstdio>
#include <stdexcept>

#include "core/export/export_job.h"
#include "tools/command.h"

namespace pseg::cli {
namespace {

struct ExportArgs {
  ExportOptions options;
  std::string format = "all";
  std::string head = "probability";
  std::string size;
  bool no_verify = false;
  bool keep_bn = false;
  bool json = false;
  std::string precision = "fp32";
  std::string scheme = "qdq";
  std::string method = "minmax";
};

int run_export_cmd(ExportArgs& a, const Context& ctx) {
  ExportOptions& o = a.options;
  o.format = parse_export_format(a.format);
  o.head = parse_export_head(a.head);
  if (!a.size.empty()) std::tie(o.height, o.width) = parse_size_hw(a.size);
  o.verify = !a.no_verify;
  o.fold_bn = !a.keep_bn;
  o.device = ctx.runtime.device;
  o.precision.precision = parse_precision(a.precision);
  o.precision.scheme = parse_int8_scheme(a.scheme);
  o.precision.method = parse_calibration_method(a.method);
  const ExportResult r = run_export(o);
  if (a.json) {
    print_line(to_json(r).dump());
    return 0;
  }
  for (const auto& f : r.files) {
    std::printf("%-12s %s  %lld bytes  %.2f s\n", f.format.c_str(), f.path.c_str(), static_cast<long long>(f.bytes),
                f.seconds);
    if (!f.verified) continue;
    if (f.verify.report_only) {
      double mean = 0;
      for (const auto& c : f.verify.cases) mean += c.mean_abs_diff / static_cast<double>(f.verify.cases.size());
      std::printf("  compared with the fp32 eager model in %s on %zu inputs: max|diff| %.3g, mean|diff| %.3g\n",
                  f.verify.runtime.c_str(), f.verify.cases.size(), f.verify.max_abs_diff(), mean);
      continue;
    }
    std::printf("  verified with %s (tolerance %.3g):", f.verify.runtime.c_str(), f.verify.tolerance);
    for (const auto& c : f.verify.cases) std::printf(" %s max|diff| %.3g;", c.input.c_str(), c.max_abs_diff);
    std::printf("\n");
  }
  std::printf("%-12s %s\n", "metadata", r.meta_path.c_str());
  return 0;
}

}  // namespace

void register_export(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<ExportArgs>();
  auto& o = args->options;
  auto* sub = add_command(app, "export");
  auto* model = sub->add_option("--model", o.model, "checkpoint (.ckpt) to export")->check(CLI::ExistingFile);
  auto* config = sub->add_option("--config", o.config, "JSON config: export a freshly initialised (seeded) net instead")
                     ->check(CLI::ExistingFile);
  model->excludes(config);
  sub->add_option("--set", o.overrides, "override a config value: key.path=VALUE (with --config)")->needs(config);
  sub->add_option("--seed", o.seed, "initialisation seed with --config (default 0)")->needs(config);
  sub->add_option("--format", args->format, "torchscript, onnx or all (default all)");
  sub->add_option("--out", o.out, "output file (single format, .pt / .onnx) or directory")->required();
  sub->add_option("--opset", o.opset, "ONNX opset: 13 (default) or 11");
  sub->add_option("--size", args->size, "input size HxW (default: the configured size)");
  sub->add_flag("--dynamic-batch", o.dynamic_batch, "symbolic batch dimension in the ONNX model");
  sub->add_option("--head", args->head, "what the model returns: logits, probability (default) or mask");
  sub->add_option("--threshold", o.threshold, "probability threshold of the mask head and the metadata (default 0.5)");
  sub->add_flag("--keep-bn", args->keep_bn, "emit BatchNormalization instead of folding BN into convolutions (ONNX)");
  sub->add_flag("--no-verify", args->no_verify, "skip reloading and comparing the files with the eager model");
  sub->add_option("--precision", args->precision,
                  "fp32 (default), fp16 (float16 compute, float32 input/output) or int8; fp16/int8 write ONNX only");
  sub->add_option("--int8-scheme", args->scheme,
                  "qdq (default: static, activations calibrated) or weights-only (int8 weights, float compute)");
  sub->add_flag("--per-channel,!--no-per-channel", o.precision.per_channel,
                "int8 weight scales per output channel (default) or one per tensor");
  sub->add_option("--calibration", o.precision.calibration,
                  "data spec of the int8 calibration images, e.g. folders:DIR (also the images fp16/int8 are compared on)");
  sub->add_option("--calibration-images", o.precision.calibration_images,
                  "how many calibration images, evenly spaced over the set (default 32)");
  sub->add_option("--calibration-method", args->method,
                  "activation ranges: minmax (default) or percentile");
  sub->add_option("--percentile", o.precision.percentile,
                  "with --calibration-method percentile: the share of values kept, in % (default 99.99)");
  sub->add_flag("--json", args->json, "print exactly one JSON object describing the result");
  add_runtime_options(sub, ctx);
  sub->callback([args, &ctx] {
    if (args->options.model.empty() && args->options.config.empty())
      throw CLI::ValidationError("export", "one of --model or --config is required");
    ctx.run = [args, &ctx] { return run_export_cmd(*args, ctx); };
  });
}

}  // namespace pseg::cli
