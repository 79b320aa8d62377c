#include "core/infer/area_resize.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <vector>

#include "core/common/simd.h"

namespace pseg {
namespace {

constexpr int kBlock = 8;  // source rows taken through the horizontal step at once, one SIMD lane each

// The source pixels one output pixel averages along an axis: `count` neighbours from `first`, with their weights.
struct Cell {
  int first = 0, count = 0;
  std::vector<float> weights;
};

// OpenCV's cells for an axis of `from` pixels shrunk to `to`: the output pixel d covers [d * scale, (d + 1) * scale)
// of the input, each input pixel weighing the part of it inside that span (the last span clipped to the image),
// divided by the span's width; slivers under 1e-3 of a pixel are dropped. The scale is derived as cv::resize does.
std::vector<Cell> area_cells(int from, int to) {
  const double scale = 1.0 / (static_cast<double>(to) / from);
  std::vector<Cell> cells(static_cast<size_t>(to));
  for (int d = 0; d < to; ++d) {
    const double start = d * scale, end = start + scale, width = std::min(scale, from - start);
    const int last = std::min(static_cast<int>(std::floor(end)), from - 1);
    const int whole = std::min(static_cast<int>(std::ceil(start)), last);
    Cell& c = cells[static_cast<size_t>(d)];
    c.first = whole;
    if (whole - start > 1e-3) {
      c.first = whole - 1;
      c.weights.push_back(static_cast<float>((whole - start) / width));
    }
    for (int s = whole; s < last; ++s) c.weights.push_back(static_cast<float>(1.0 / width));
    if (end - last > 1e-3) c.weights.push_back(static_cast<float>(std::min(std::min(end - last, 1.0), width) / width));
    c.count = static_cast<int>(c.weights.size());
  }
  return cells;
}

// The horizontal step's plan: for every output pixel, where its taps start in a row of interleaved channels and
// their weights, padded to the same number of taps with zero weights (adding 0 to a sum of non-negative products
// leaves it as it is, so the padding changes no bit; the padded taps may run past the row, into zeros).
struct RowPlan {
  int taps = 0;
  std::vector<int> first;      // per output pixel: the first tap's pixel
  std::vector<float> weights;  // per output pixel, `taps` weights
};

RowPlan row_plan(const std::vector<Cell>& cells) {
  RowPlan p;
  for (const Cell& c : cells) p.taps = std::max(p.taps, c.count);
  for (const Cell& c : cells) {
    p.first.push_back(c.first);
    for (int k = 0; k < p.taps; ++k) p.weights.push_back(k < c.count ? c.weights[static_cast<size_t>(k)] : 0.f);
  }
  return p;
}

// Source rows row0 .. row0 + 7 (the last row repeated past the image), as floats with the rows side by side:
// t[(x * cn + c) * 8 + r] is channel c of pixel x in row row0 + r.
PSEG_MULTIVERSION void rows_side_by_side(const cv::Mat& src, int row0, float* t) {
  const int n = src.cols * src.channels();
  const unsigned char* rows[kBlock];
  for (int r = 0; r < kBlock; ++r) rows[r] = src.ptr<unsigned char>(std::min(row0 + r, src.rows - 1));
  for (int i = 0; i < n; ++i)
    for (int r = 0; r < kBlock; ++r) t[i * kBlock + r] = rows[r][i];
}

// The horizontal step for eight rows at once, in OpenCV's order: each output value starts at 0 and adds its taps'
// products from left to right, rounded after every multiplication and addition (this file is compiled without
// fused multiply-adds). h[e * 8 + r] is output value e of row r.
PSEG_MULTIVERSION void horizontal(const float* t, const RowPlan& plan, int cn, int out_pixels, float* h) {
  const int taps = plan.taps;
  for (int d = 0; d < out_pixels; ++d) {
    const float* w = plan.weights.data() + static_cast<size_t>(d) * taps;
    for (int c = 0; c < cn; ++c) {
      const float* v = t + (static_cast<size_t>(plan.first[static_cast<size_t>(d)]) * cn + c) * kBlock;
      float acc[kBlock] = {};
      for (int k = 0; k < taps; ++k, v += static_cast<size_t>(cn) * kBlock)
        for (int r = 0; r < kBlock; ++r) acc[r] = acc[r] + v[r] * w[k];
      float* out = h + (static_cast<size_t>(d) * cn + c) * kBlock;
      for (int r = 0; r < kBlock; ++r) out[r] = acc[r];
    }
  }
}

// Row r of eight side by side.
PSEG_MULTIVERSION void take_row(const float* h, int n, int r, float* row) {
  for (int e = 0; e < n; ++e) row[e] = h[e * kBlock + r];
}

// The vertical step: an output row is its first source row times its weight, plus each further one's product.
PSEG_MULTIVERSION void add_row(float* sum, const float* row, float beta, int n, bool first) {
  if (first) {
    for (int e = 0; e < n; ++e) sum[e] = beta * row[e];
  } else {
    for (int e = 0; e < n; ++e) sum[e] = sum[e] + beta * row[e];
  }
}

// saturate_cast<uchar>: rounded to the nearest integer, halves to even (adding and taking away 1.5 * 2^23 rounds
// a float of magnitude under 2^22 so, in the default rounding mode), then clamped.
PSEG_MULTIVERSION void round_row(const float* sum, int n, unsigned char* out) {
  constexpr float kRound = 12582912.f;
  for (int e = 0; e < n; ++e) out[e] = static_cast<unsigned char>(std::clamp((sum[e] + kRound) - kRound, 0.f, 255.f));
}

cv::Mat own_resize_area(const cv::Mat& src, cv::Size to) {
  const int cn = src.channels(), n = to.width * cn;
  const RowPlan plan = row_plan(area_cells(src.cols, to.width));
  const std::vector<Cell> rows = area_cells(src.rows, to.height);
  int row_taps = 0;
  for (const Cell& c : rows) row_taps = std::max(row_taps, c.count);
  // The horizontal results of the last rows computed, row y in slot y % ring: an output row's source rows all lie
  // within its taps of each other, and a block brings at most eight more.
  const int ring = row_taps + kBlock;
  std::vector<float> side(static_cast<size_t>(src.cols + plan.taps) * cn * kBlock, 0.f);
  std::vector<float> block(static_cast<size_t>(n) * kBlock);
  std::vector<float> done(static_cast<size_t>(ring) * n), sum(static_cast<size_t>(n));
  int computed = 0;  // source rows [0, computed) have been through the horizontal step
  cv::Mat out(to, src.type());
  for (int dy = 0; dy < to.height; ++dy) {
    const Cell& cell = rows[static_cast<size_t>(dy)];
    for (int k = 0; k < cell.count; ++k) {
      const int sy = cell.first + k;
      while (computed <= sy) {
        rows_side_by_side(src, computed, side.data());
        horizontal(side.data(), plan, cn, to.width, block.data());
        for (int r = 0; r < kBlock && computed + r < src.rows; ++r)
          take_row(block.data(), n, r, done.data() + static_cast<size_t>((computed + r) % ring) * n);
        computed += kBlock;
      }
      add_row(sum.data(), done.data() + static_cast<size_t>(sy % ring) * n, cell.weights[static_cast<size_t>(k)], n,
              k == 0);
    }
    round_row(sum.data(), n, out.ptr<unsigned char>(dy));
  }
  return out;
}

}  // namespace

bool resize_area_is_own(const cv::Mat& src, cv::Size to) {
  if (src.empty() || src.depth() != CV_8U || src.channels() > 4 || to.width <= 0 || to.height <= 0) return false;
  if (to == src.size()) return false;
  // cv::resize's own tests: the scales as it derives them, and its fast path for whole factors.
  const double scale_x = 1.0 / (static_cast<double>(to.width) / src.cols);
  const double scale_y = 1.0 / (static_cast<double>(to.height) / src.rows);
  if (scale_x < 1 || scale_y < 1) return false;
  const bool whole = std::abs(scale_x - cvRound(scale_x)) < DBL_EPSILON && std::abs(scale_y - cvRound(scale_y)) < DBL_EPSILON;
  return !whole;
}

cv::Mat resize_area(const cv::Mat& src, cv::Size to) {
  if (resize_area_is_own(src, to)) return own_resize_area(src, to);
  cv::Mat out;
  cv::resize(src, out, to, 0, 0, cv::INTER_AREA);
  return out;
}

}  // namespace pseg
