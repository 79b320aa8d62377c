#pragma once
// A picture of where a model fails: one row per image with the input, the ground truth and the prediction
// side by side, and a caption (name and score). Used by `eval --worst K`.
#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace pseg {

struct SheetRow {
  cv::Mat image;       // CV_8UC3 BGR
  cv::Mat label;       // CV_8UC1 0/1/255, the image's size
  cv::Mat prediction;  // CV_8UC1 0/1, the image's size
  std::string caption;
};

// Row height of the tiles; widths follow each image's aspect ratio.
inline constexpr int kSheetRowHeight = 160;

// Shrinks a row to `height` pixels high (labels and predictions nearest), so many rows can be kept cheaply.
SheetRow thumbnail(const SheetRow& row, int height = kSheetRowHeight);

// Ground truth: person white, background black, ignore grey. Prediction: correct person white, false person
// red, missed person blue, ignore grey. CV_8UC3 BGR; throws std::invalid_argument for no rows.
cv::Mat render_contact_sheet(const std::vector<SheetRow>& rows, int height = kSheetRowHeight);

}  // namespace pseg
