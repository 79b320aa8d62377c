// portraitseg train: train a net from a JSON config, or resume a run.
#include <cmath>
#include <iostream>

#include "core/config.h"
#include "core/errors.h"
#include "core/trainer.h"
#include "tools/command.h"

namespace pseg::cli {
namespace {

struct TrainArgs {
  std::string config;
  std::vector<std::string> sets;
  std::string resume;
  bool dry_run = false;
  bool json = false;
};

int run_train(const TrainArgs& a, const Context& ctx, bool device_given, bool threads_given) {
  TrainRequest req;
  req.config = a.config.empty() ? resume_config(a.resume, a.sets) : load_config(a.config, a.sets);
  req.resume = a.resume;
  req.dry_run = a.dry_run;
  if (device_given) req.device_override = ctx.runtime.device;
  if (threads_given) req.threads_override = ctx.runtime.threads;
  const TrainResult r = run_training(req);
  if (a.json) {
    nlohmann::json j = {{"run_dir", r.run_dir},           {"epochs_completed", r.epochs_completed},
                        {"steps", r.steps},               {"interrupted", r.interrupted},
                        {"early_stopped", r.early_stopped}, {"best_metric_name", r.best_metric_name}};
    j["best_metric"] = std::isfinite(r.best_metric) ? nlohmann::json(r.best_metric) : nlohmann::json();
    if (r.validated)
      j["last_validation"] = {{"miou_per_image", r.last_metrics.miou_per_image},
                              {"miou_confusion", r.last_metrics.miou_confusion},
                              {"images", r.last_metrics.images}};
    print_line(j.dump());
  }
  if (a.dry_run) {
    if (!a.json) print_line("dry run: config and datasets are valid");
    return 0;
  }
  if (r.interrupted) {
    std::cerr << "error: training interrupted; wrote " << r.run_dir << "/last.ckpt (continue with --resume "
              << r.run_dir << ")\n";
    return 1;
  }
  if (!a.json) {
    print_line("run directory: " + r.run_dir);
    if (r.validated)
      std::printf("best %s %.4f; last validation: mIOU per-image %.4f, confusion %.4f on %ld images\n",
                  r.best_metric_name.c_str(), r.best_metric, r.last_metrics.miou_per_image,
                  r.last_metrics.miou_confusion, static_cast<long>(r.last_metrics.images));
  }
  return 0;
}

}  // namespace

void register_train(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<TrainArgs>();
  auto* sub = app.add_subcommand("train", "Train a net from a JSON config (or resume a run)");
  sub->add_option("--config", args->config, "JSON config")->check(CLI::ExistingFile);
  sub->add_option("--set", args->sets, "override a config value: key.path=VALUE (VALUE parsed as JSON if it parses)");
  sub->add_option("--resume", args->resume, "run directory or .ckpt to continue from (its config is used)");
  sub->add_flag("--dry-run", args->dry_run, "validate the config and open the datasets, then exit");
  sub->add_flag("--json", args->json, "print the result as one JSON object");
  add_runtime_options(sub, ctx);
  sub->callback([args, &ctx, sub] {
    if (args->config.empty() && args->resume.empty())
      throw CLI::ValidationError("train", "one of --config or --resume is required");
    const bool device_given = sub->get_option("--device")->count() > 0;
    const bool threads_given = sub->get_option("--threads")->count() > 0;
    ctx.run = [args, &ctx, device_given, threads_given] { return run_train(*args, ctx, device_given, threads_given); };
  });
}

}  // namespace pseg::cli
