#include "core/train/train_loop.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>

#include "core/common/errors.h"
#include "core/common/stopwatch.h"
#include "core/train/train_step.h"
#include "core/train/validation.h"

namespace pseg {

TrainLoop::TrainLoop(TrainContext& ctx, const CompositeLoss& loss) : ctx_(ctx), loss_(loss) {}

TrainLoop& TrainLoop::add(std::shared_ptr<TrainHook> hook) {
  hooks_.push_back(std::move(hook));
  return *this;
}

void TrainLoop::run() {
  each([&](TrainHook& h) { h.before_run(ctx_); });
  ctx_.net.train();
  for (int64_t epoch = ctx_.state.epoch; epoch < ctx_.epochs && !ctx_.stop_after_epoch; ++epoch) {
    ctx_.epoch = epoch;
    ctx_.last_epoch = epoch + 1 == ctx_.epochs;
    ctx_.validation.reset();
    ctx_.improved = false;
    each([&](TrainHook& h) { h.before_epoch(ctx_); });
    if (!train_epoch()) return;
    if (ctx_.finish_now) break;
    each([&](TrainHook& h) { h.after_train_epoch(ctx_); });
    bool validate = false;
    for (const auto& h : hooks_) validate = validate || h->wants_validation(ctx_);
    if (validate) validate_epoch();
    each([&](TrainHook& h) { h.after_epoch(ctx_); });
    ctx_.result.epochs_completed = epoch + 1;
  }
  ctx_.result.steps = ctx_.state.step;
  ctx_.result.best_metric = ctx_.state.best_metric;
}

bool TrainLoop::train_epoch() {
  TrainContext& c = ctx_;
  c.data.start_train_epoch(c.epoch, c.state.step_in_epoch);
  for (int64_t k = c.state.step_in_epoch; k < c.steps_per_epoch; ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    std::optional<Batch> batch = c.data.next_train_batch();
    if (!batch) break;
    StepReport report;
    report.step_in_epoch = k;
    report.data_wait_ms = ms_since(t0);
    const StepLoss out = forward_backward(c.net, loss_, c.optimizer, *batch, c.device);
    // Loss terms are logged as their mean over ranks; stop and time-limit decisions are taken by all together.
    std::vector<double> values{out.loss.total.item<double>()};
    for (const auto& term : out.loss.terms) values.push_back(term.second);
    StepSignals signals;
    each([&](TrainHook& h) { h.before_sync(c, signals); });
    signals = c.strategy.synchronize_step(c.net, values, signals, c.state.step + 1);
    c.optimizer.step();
    ++c.state.step;
    report.step_ms = ms_since(t0);
    report.loss = values[0];
    if (!std::isfinite(report.loss))
      throw RuntimeError("non-finite loss (" + std::to_string(report.loss) + ") at epoch " +
                         std::to_string(c.epoch + 1) + " step " + std::to_string(k + 1) + " (global step " +
                         std::to_string(c.state.step) + "); stopped; the last good checkpoint in " + c.run_dir +
                         " is kept");
    for (size_t i = 0; i < out.loss.terms.size() && i + 1 < values.size(); ++i)
      report.terms.emplace_back(out.loss.terms[i].first, values[i + 1]);
    report.samples = out.samples * c.strategy.world_size();
    each([&](TrainHook& h) { h.after_step(c, report); });
    if (signals.stop) {
      each([&](TrainHook& h) { h.on_interrupt(c, k + 1); });
      c.result.interrupted = true;
      c.result.steps = c.state.step;
      c.result.epochs_completed = c.epoch;
      return false;
    }
    if (signals.out_of_time) {
      spdlog::warn("train.time_limit_minutes ({}) reached: validating and stopping after this epoch",
                   c.config.train.time_limit_minutes);
      c.stop_after_epoch = c.last_epoch = true;
      break;
    }
    if (c.finish_now) break;
  }
  c.state.step_in_epoch = 0;
  return true;
}

void TrainLoop::validate_epoch() {
  TrainContext& c = ctx_;
  c.strategy.average_buffers(c.net);
  c.strategy.verify_replicas(c.net);
  c.validation = c.strategy.reduce_validation(validate(c.net, c.data, c.config.loss, c.device), c.data.test_images());
  c.net.train();
  c.result.last_metrics = c.validation->metrics;
  c.result.validated = true;
  each([&](TrainHook& h) { h.after_validation(c, *c.validation); });
}

}  // namespace pseg
