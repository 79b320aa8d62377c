#include <spdlog/spdlog.h>

#include <filesystem>
#include <stdexcept>

#include "core/common/atomic_file.h"
#include "core/train/hooks.h"
#include "core/train/qat_net.h"

namespace pseg {
namespace {

QatNetImpl& qat_net(TrainContext& c) {
  auto* net = dynamic_cast<QatNetImpl*>(&c.net);
  if (!net) throw std::logic_error("QatExportHook: the run's net is not a quantisation-aware net");
  return *net;
}

}  // namespace

void QatExportHook::before_epoch(TrainContext& c) {
  QatNetImpl& net = qat_net(c);
  if (c.epoch >= observer_epochs_ && !net.observers_frozen()) {
    net.freeze_observers();
    spdlog::info("qat: activation ranges frozen after {} epoch(s)", observer_epochs_);
  }
}

void QatExportHook::write(TrainContext& c, const std::string& name) {
  if (!c.strategy.is_main() || c.run_dir.empty()) return;
  if (qat_net(c).ranges().empty()) {  // stopped before the first step: no activation was observed
    spdlog::warn("qat: no step was taken, so no activation range is known; {} not written", name);
    return;
  }
  OnnxModel model = qat_net(c).int8_model();
  const std::filesystem::path path = std::filesystem::path(c.run_dir) / name;
  AtomicFile file(path);
  write_onnx_model(model, file.temp_path().string());
  file.commit();
  spdlog::info("qat: wrote {}", path.string());
}

void QatExportHook::after_validation(TrainContext& c, const ValidationResult&) {
  if (c.improved) write(c, "best.int8.onnx");
}

void QatExportHook::after_epoch(TrainContext& c) {
  if (c.last_epoch || c.stop_after_epoch) write(c, "last.int8.onnx");
}

void QatExportHook::on_interrupt(TrainContext& c, int64_t) { write(c, "last.int8.onnx"); }

}  // namespace pseg
