#include "core/eval/contact_sheet.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <stdexcept>

#include "core/infer/area_resize.h"

namespace pseg {
namespace {

const cv::Vec3b kWhite(255, 255, 255), kBlack(0, 0, 0), kGrey(128, 128, 128), kRed(0, 0, 255), kBlue(255, 0, 0);
constexpr int kCaption = 22;  // caption strip above each row
constexpr int kGap = 4;

cv::Size scaled(cv::Size s, int height) {
  return {std::max(1, static_cast<int>(s.width * static_cast<double>(height) / s.height + 0.5)), height};
}

cv::Mat paint_truth(const cv::Mat& label) {
  cv::Mat out(label.size(), CV_8UC3);
  for (int y = 0; y < label.rows; ++y)
    for (int x = 0; x < label.cols; ++x) {
      const uint8_t l = label.at<uint8_t>(y, x);
      out.at<cv::Vec3b>(y, x) = l == 255 ? kGrey : l == 1 ? kWhite : kBlack;
    }
  return out;
}

cv::Mat paint_prediction(const cv::Mat& pred, const cv::Mat& label) {
  cv::Mat out(label.size(), CV_8UC3);
  for (int y = 0; y < label.rows; ++y)
    for (int x = 0; x < label.cols; ++x) {
      const uint8_t l = label.at<uint8_t>(y, x);
      const bool p = pred.at<uint8_t>(y, x) != 0;
      out.at<cv::Vec3b>(y, x) = l == 255 ? kGrey : p && l == 1 ? kWhite : p ? kRed : l == 1 ? kBlue : kBlack;
    }
  return out;
}

}  // namespace

SheetRow thumbnail(const SheetRow& row, int height) {
  const cv::Size size = scaled(row.image.size(), height);
  SheetRow t;
  t.caption = row.caption;
  t.image = resize_area(row.image, size);
  cv::resize(row.label, t.label, size, 0, 0, cv::INTER_NEAREST);
  cv::resize(row.prediction, t.prediction, size, 0, 0, cv::INTER_NEAREST);
  return t;
}

cv::Mat render_contact_sheet(const std::vector<SheetRow>& rows, int height) {
  if (rows.empty()) throw std::invalid_argument("contact sheet: no rows");
  std::vector<SheetRow> thumbs;
  int width = 0;
  for (const auto& r : rows) {
    thumbs.push_back(r.image.rows == height ? r : thumbnail(r, height));
    width = std::max(width, 3 * thumbs.back().image.cols + 4 * kGap);
  }
  const int row_h = kCaption + height + kGap;
  cv::Mat sheet(static_cast<int>(rows.size()) * row_h + kGap, width, CV_8UC3, cv::Scalar(40, 40, 40));
  int y = kGap;
  for (const auto& t : thumbs) {
    cv::putText(sheet, t.caption, {kGap, y + kCaption - 7}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(230, 230, 230),
                1, cv::LINE_AA);
    const int top = y + kCaption, w = t.image.cols;
    t.image.copyTo(sheet(cv::Rect(kGap, top, w, height)));
    paint_truth(t.label).copyTo(sheet(cv::Rect(2 * kGap + w, top, w, height)));
    paint_prediction(t.prediction, t.label).copyTo(sheet(cv::Rect(3 * kGap + 2 * w, top, w, height)));
    y += row_h;
  }
  return sheet;
}

}  // namespace pseg
