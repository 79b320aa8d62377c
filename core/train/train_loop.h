#pragma once
// The training loop: epochs of steps (forward, backward, the strategy's gradient synchronisation, update), a
// validation pass where a hook asks for one, and hooks called around all of it. Everything else a run does
// (checkpoints, best metric, early stop, schedule, logging, time limit, signals) is a hook (core/train/hooks.h).
#include <memory>
#include <vector>

#include "core/train/train_hook.h"
#include "losses/composite_loss.h"

namespace pseg {

class TrainLoop {
 public:
  // `ctx` and `loss` must outlive the loop; ctx.state.epoch/step_in_epoch say where the run starts.
  TrainLoop(TrainContext& ctx, const CompositeLoss& loss);

  TrainLoop& add(std::shared_ptr<TrainHook> hook);

  // Runs until the run length, a hook's stop or a signal. Throws RuntimeError on a non-finite loss.
  void run();

 private:
  // False when a stop signal ended the run inside the epoch.
  bool train_epoch();
  void validate_epoch();
  template <typename F>
  void each(F&& f) {
    for (auto& h : hooks_) f(*h);
  }

  TrainContext& ctx_;
  const CompositeLoss& loss_;
  std::vector<std::shared_ptr<TrainHook>> hooks_;
};

}  // namespace pseg
