// portraitseg train: train a net from a JSON config, or resume a run.
#include <iostream>

#include "core/common/errors.h"
#include "core/train/train_job.h"
#include "tools/command.h"

namespace pseg::cli {
namespace {

struct TrainArgs {
  std::string config;
  std::vector<std::string> sets;
  std::string resume;
  bool dry_run = false;
  bool json = false;
  std::string backend;
  LaunchOptions launch;
};

// --nproc-per-node: this process becomes the launcher of that many workers, each running this command line
// without the launch flags.
int run_launcher(const TrainArgs& a) {
  LaunchOptions o = a.launch;
  o.args = worker_arguments(own_arguments());
  return launch_workers(o);
}

int run_train(const TrainArgs& a, const Context& ctx, bool device_given, bool threads_given) {
  TrainRequest req;
  std::vector<std::string> sets = a.sets;
  if (!a.backend.empty()) sets.push_back("train.distributed.backend=" + a.backend);
  req.config = a.config.empty() ? resume_config(a.resume, sets) : load_config(a.config, sets);
  req.resume = a.resume;
  req.dry_run = a.dry_run;
  if (device_given) req.device_override = ctx.runtime.device;
  if (threads_given) req.threads_override = ctx.runtime.threads;
  const TrainResult r = run_training(req);
  if (r.rank != 0) return r.interrupted ? 1 : 0;  // rank 0 reports for the whole data-parallel run
  if (a.json) print_line(to_json(r).dump());
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
  auto* sub = add_command(app, "train");
  sub->add_option("--config", args->config, "JSON config")->check(CLI::ExistingFile);
  sub->add_option("--set", args->sets, "override a config value: key.path=VALUE (VALUE parsed as JSON if it parses)");
  sub->add_option("--resume", args->resume, "run directory or .ckpt to continue from (its config is used)");
  sub->add_flag("--dry-run", args->dry_run, "validate the config and open the datasets, then exit");
  sub->add_flag("--json", args->json, "print the result as one JSON object");
  sub->add_option("--backend", args->backend, "data-parallel backend (sets train.distributed.backend)")
      ->check(CLI::IsMember({"auto", "gloo", "nccl"}));
  auto* nproc = sub->add_option("--nproc-per-node", args->launch.nproc_per_node,
                                "launch N data-parallel workers of this command on this node (docs/distributed.md)")
                    ->check(CLI::PositiveNumber);
  sub->add_option("--nnodes", args->launch.nnodes, "with --nproc-per-node: number of nodes (default 1)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--node-rank", args->launch.node_rank, "with --nproc-per-node: this node's index (default 0)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--master-addr", args->launch.master_addr,
                  "with --nproc-per-node: address of the node running rank 0 (default 127.0.0.1)");
  sub->add_option("--master-port", args->launch.master_port,
                  "with --nproc-per-node: rank 0's rendezvous port (default: a free port on one node, 29500 on "
                  "several)")
      ->check(CLI::Range(1, 65535));
  add_runtime_options(sub, ctx);
  sub->callback([args, &ctx, sub, nproc] {
    if (args->config.empty() && args->resume.empty())
      throw CLI::ValidationError("train", "one of --config or --resume is required");
    if (nproc->count() > 0) {
      if (args->dry_run) throw CLI::ValidationError("train", "--dry-run runs without --nproc-per-node");
      ctx.run = [args] { return run_launcher(*args); };
      return;
    }
    for (const char* flag : {"--nnodes", "--node-rank", "--master-addr", "--master-port"})
      if (sub->get_option(flag)->count() > 0)
        throw CLI::ValidationError("train", std::string(flag) + " needs --nproc-per-node");
    const bool device_given = sub->get_option("--device")->count() > 0;
    const bool threads_given = sub->get_option("--threads")->count() > 0;
    ctx.run = [args, &ctx, device_given, threads_given] { return run_train(*args, ctx, device_given, threads_given); };
  });
}

}  // namespace pseg::cli
