#include "portraitseg/train.h"

#include <memory>

#include "core/api/config_access.h"
#include "core/api/guarded.h"
#include "core/torch_runtime/torch_runtime.h"
#include "core/train/train_hook.h"
#include "core/train/train_job.h"

namespace portraitseg {
namespace {

// Reports steps and epochs to the application's callbacks; it runs after the standard hooks, so an epoch's
// validation, best-metric decision and checkpoints are done when on_epoch sees it.
class CallbackHook : public pseg::TrainHook {
 public:
  explicit CallbackHook(const TrainOptions& options) : options_(options) {}

  void after_step(pseg::TrainContext& c, const pseg::StepReport& step) override {
    if (!options_.on_step()) return;
    StepProgress p;
    p.epoch = c.epoch + 1;
    p.step = step.step_in_epoch + 1;
    p.steps_per_epoch = c.steps_per_epoch;
    p.loss = step.loss;
    options_.on_step()(p);
  }

  void after_epoch(pseg::TrainContext& c) override {
    if (!options_.on_epoch()) return;
    EpochProgress p;
    p.epoch = c.epoch + 1;
    p.epochs = c.epochs;
    p.lr = c.lr;
    p.validated = c.validation.has_value();
    if (c.validation) {
      p.val_loss = c.validation->loss;
      p.miou_per_image = c.validation->metrics.miou_per_image;
      p.miou_confusion = c.validation->metrics.miou_confusion;
    }
    p.improved = c.improved;
    options_.on_epoch()(p);
  }

 private:
  TrainOptions options_;
};

}  // namespace

TrainSummary train(const Config& config, const TrainOptions& options) {
  return detail::guarded([&] {
    pseg::TrainRequest request{ConfigAccess::typed(config)};
    request.resume = options.resume();
    request.device_override = options.device();
    if (options.threads() != 0) pseg::set_intra_op_threads(options.threads());
    request.threads_override = options.threads();
    request.extra_hooks.push_back(std::make_shared<CallbackHook>(options));
    const pseg::TrainResult r = pseg::run_training(request);
    TrainSummary s;
    s.run_dir = r.run_dir;
    s.epochs_completed = r.epochs_completed;
    s.steps = r.steps;
    s.best_metric_name = r.best_metric_name;
    s.best_metric = r.best_metric;
    s.interrupted = r.interrupted;
    s.early_stopped = r.early_stopped;
    s.json = pseg::to_json(r).dump();
    return s;
  });
}

}  // namespace portraitseg
