#pragma once
// A training run's directory: resolved config.json, train.log, metrics.csv, curves.png, last/best checkpoints.
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "core/train/curves.h"
#include "core/train/run_dir_lock.h"

namespace spdlog {
class logger;
}

namespace pseg {

struct MetricsRow {
  int64_t epoch = 0;
  int64_t step = 0;
  double lr = 0;
  std::vector<std::pair<std::string, double>> train_losses;  // "loss" first, then named terms
  double val_miou_per_image = 0;  // NaN when not validated
  double val_miou_confusion = 0;
  double val_loss = 0;
  double seconds = 0;
};

class RunDir {
 public:
  // Creates and locks the directory (core/train/run_dir_lock.h); `resume` keeps existing metrics.csv rows up to the
  // resumed epoch. train.log receives every line as it is logged, so a killed run loses none.
  RunDir(const std::string& path, bool resume, int64_t resume_epoch);
  ~RunDir();

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const;

  void write_config(const nlohmann::json& resolved) const;
  // Appends a row (header written on first use) and redraws curves.png.
  void record(const MetricsRow& row);
  const std::vector<EpochRecord>& history() const { return history_; }

 private:
  void load_history(int64_t up_to_epoch);
  std::string path_;
  std::unique_ptr<RunDirLock> lock_;
  std::vector<std::string> header_;
  std::vector<EpochRecord> history_;
  std::shared_ptr<spdlog::logger> previous_default_;
};

}  // namespace pseg
