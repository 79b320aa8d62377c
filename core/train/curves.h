#pragma once
// curves.png of a run: loss, mIOU and learning rate against epochs, so a user can look rather than read.
#include <string>
#include <vector>

namespace pseg {

struct EpochRecord {
  double epoch = 0;
  double train_loss = 0;
  double val_loss = 0;        // NaN when not validated this epoch
  double miou_per_image = 0;  // NaN when not validated
  double miou_confusion = 0;  // NaN when not validated
  double lr = 0;
};

// Draws three stacked panels and writes a PNG to `path` (atomically).
void plot_training_curves(const std::vector<EpochRecord>& records, const std::string& path);

}  // namespace pseg
