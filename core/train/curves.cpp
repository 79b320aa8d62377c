#include "core/train/curves.h"

#include "core/common/atomic_file.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace pseg {
namespace {

struct Series {
  std::string name;
  cv::Scalar color;
  std::vector<cv::Point2d> points;  // (epoch, value), finite values only
};

std::string fmt(double v) {
  char buf[32];
  if (v != 0 && (std::fabs(v) < 1e-2 || std::fabs(v) >= 1e4))
    std::snprintf(buf, sizeof buf, "%.1e", v);
  else
    std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

void draw_panel(cv::Mat& canvas, cv::Rect area, const std::string& title, const std::vector<Series>& series) {
  const cv::Scalar axis(60, 60, 60), grid(225, 225, 225);
  const int left = 70, right = 150, top = 28, bottom = 30;
  const cv::Rect plot(area.x + left, area.y + top, area.width - left - right, area.height - top - bottom);
  cv::putText(canvas, title, {area.x + left, area.y + 20}, cv::FONT_HERSHEY_SIMPLEX, 0.55, axis, 1, cv::LINE_AA);

  double x0 = std::numeric_limits<double>::max(), x1 = -x0, y0 = x0, y1 = -x0;
  for (const auto& s : series)
    for (const auto& p : s.points) {
      x0 = std::min(x0, p.x), x1 = std::max(x1, p.x), y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
    }
  cv::rectangle(canvas, plot, axis, 1);
  if (x0 > x1) {
    cv::putText(canvas, "no data yet", {plot.x + 10, plot.y + plot.height / 2}, cv::FONT_HERSHEY_SIMPLEX, 0.5, axis);
    return;
  }
  if (x1 - x0 < 1e-12) x1 = x0 + 1;
  if (y1 - y0 < 1e-12) {
    y0 -= 0.5 * std::max(std::fabs(y0), 1e-6);
    y1 += 0.5 * std::max(std::fabs(y1), 1e-6);
  }
  auto to_px = [&](cv::Point2d p) {
    return cv::Point(plot.x + static_cast<int>((p.x - x0) / (x1 - x0) * plot.width),
                     plot.y + plot.height - static_cast<int>((p.y - y0) / (y1 - y0) * plot.height));
  };
  for (int i = 0; i <= 4; ++i) {
    const double v = y0 + (y1 - y0) * i / 4.0;
    const int y = plot.y + plot.height - plot.height * i / 4;
    cv::line(canvas, {plot.x + 1, y}, {plot.x + plot.width - 1, y}, grid, 1);
    cv::putText(canvas, fmt(v), {area.x + 5, y + 4}, cv::FONT_HERSHEY_SIMPLEX, 0.4, axis, 1, cv::LINE_AA);
  }
  cv::putText(canvas, "epoch " + fmt(x0), {plot.x, plot.y + plot.height + 18}, cv::FONT_HERSHEY_SIMPLEX, 0.4, axis);
  cv::putText(canvas, fmt(x1), {plot.x + plot.width - 30, plot.y + plot.height + 18}, cv::FONT_HERSHEY_SIMPLEX, 0.4,
              axis);
  int legend_y = plot.y + 14;
  for (const auto& s : series) {
    for (size_t i = 1; i < s.points.size(); ++i)
      cv::line(canvas, to_px(s.points[i - 1]), to_px(s.points[i]), s.color, 2, cv::LINE_AA);
    for (const auto& p : s.points) cv::circle(canvas, to_px(p), 2, s.color, cv::FILLED, cv::LINE_AA);
    cv::line(canvas, {plot.x + plot.width + 10, legend_y - 4}, {plot.x + plot.width + 30, legend_y - 4}, s.color, 2);
    cv::putText(canvas, s.name, {plot.x + plot.width + 35, legend_y}, cv::FONT_HERSHEY_SIMPLEX, 0.42, axis, 1,
                cv::LINE_AA);
    legend_y += 18;
  }
}

Series series(const std::string& name, cv::Scalar color, const std::vector<EpochRecord>& records,
              double EpochRecord::*field) {
  Series s{name, color, {}};
  for (const auto& r : records)
    if (std::isfinite(r.*field)) s.points.emplace_back(r.epoch, r.*field);
  return s;
}

}  // namespace

void plot_training_curves(const std::vector<EpochRecord>& records, const std::string& path) {
  const int width = 760, panel = 230;
  cv::Mat canvas(panel * 3, width, CV_8UC3, cv::Scalar(255, 255, 255));
  draw_panel(canvas, {0, 0, width, panel}, "loss",
             {series("train", {200, 90, 30}, records, &EpochRecord::train_loss),
              series("val", {40, 40, 220}, records, &EpochRecord::val_loss)});
  draw_panel(canvas, {0, panel, width, panel}, "validation mIOU",
             {series("per image", {40, 150, 40}, records, &EpochRecord::miou_per_image),
              series("confusion", {160, 60, 160}, records, &EpochRecord::miou_confusion)});
  draw_panel(canvas, {0, 2 * panel, width, panel}, "learning rate",
             {series("lr", {20, 120, 200}, records, &EpochRecord::lr)});
  write_image_atomic(path, canvas);
}

}  // namespace pseg
