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

// The scale cv::resize derives for an axis of `from` pixels shrunk to `to`, on which its choice of path and its
// weights depend.
double area_scale(int from, int to) { return 1.0 / (static_cast<double>(to) / from); }

// The source pixels each output pixel averages along an axis: output pixel d takes count[d] neighbours from
// first[d], weighing weights[offset[d] + k].
struct AxisCells {
  std::vector<int> first, count;
  std::vector<size_t> offset;
  std::vector<float> weights;
  int most_taps = 0;
  int most_open = 0;  // output pixels sharing one source pixel, at most
};

// OpenCV's cells: output pixel d covers [d * scale, (d + 1) * scale) of the input, each input pixel weighing the part
// of it inside that span (the last span clipped to the image), divided by the span's width; slivers under 1e-3 of a
// pixel are dropped.
AxisCells area_cells(int from, int to) {
  const double scale = area_scale(from, to);
  AxisCells a;
  for (int d = 0; d < to; ++d) {
    const double start = d * scale, end = start + scale, width = std::min(scale, from - start);
    const int last = std::min(static_cast<int>(std::floor(end)), from - 1);
    const int whole = std::min(static_cast<int>(std::ceil(start)), last);
    a.offset.push_back(a.weights.size());
    a.first.push_back(whole);
    if (whole - start > 1e-3) {
      a.first.back() = whole - 1;
      a.weights.push_back(static_cast<float>((whole - start) / width));
    }
    for (int s = whole; s < last; ++s) a.weights.push_back(static_cast<float>(1.0 / width));
    if (end - last > 1e-3) a.weights.push_back(static_cast<float>(std::min(std::min(end - last, 1.0), width) / width));
    a.count.push_back(static_cast<int>(a.weights.size() - a.offset.back()));
    a.most_taps = std::max(a.most_taps, a.count.back());
  }
  for (int d = 0; d < to; ++d) {
    int open = 1;
    const int last = a.first[static_cast<size_t>(d)] + a.count[static_cast<size_t>(d)] - 1;
    while (d + open < to && a.first[static_cast<size_t>(d + open)] <= last) ++open;
    a.most_open = std::max(a.most_open, open);
  }
  return a;
}

// The horizontal step's plan: every output pixel's taps padded to the same number with zero weights (adding 0 to a
// sum of non-negative products leaves it as it is, so the padding changes no bit; padded taps may run past the row,
// into zeros).
struct RowPlan {
  int taps = 0;
  std::vector<int> first;      // the cells' first pixels
  std::vector<float> weights;  // per output pixel, `taps` weights
};

RowPlan row_plan(const AxisCells& cells) {
  RowPlan p;
  p.taps = cells.most_taps;
  for (size_t d = 0; d < cells.first.size(); ++d)
    for (int k = 0; k < p.taps; ++k)
      p.weights.push_back(k < cells.count[d] ? cells.weights[cells.offset[d] + static_cast<size_t>(k)] : 0.f);
  p.first = cells.first;
  return p;
}

// Source rows row0 .. row0 + 7 (the last row repeated past the image), as floats with the rows side by side:
// t[(x * cn + c) * 8 + r] is channel c of pixel x in row row0 + r.
PSEG_MULTIVERSION void rows_side_by_side(const cv::Mat& src, int row0, float* t) {
  const size_t n = static_cast<size_t>(src.cols) * static_cast<size_t>(src.channels());
  const unsigned char* rows[kBlock];
  for (int r = 0; r < kBlock; ++r) rows[r] = src.ptr<unsigned char>(std::min(row0 + r, src.rows - 1));
  for (size_t i = 0; i < n; ++i)
    for (int r = 0; r < kBlock; ++r) t[i * kBlock + static_cast<size_t>(r)] = rows[r][i];
}

// The horizontal step for eight rows at once, in OpenCV's order: each output value starts at 0 and adds its taps'
// products from left to right, rounded after every multiplication and addition (this file is compiled without
// fused multiply-adds). h[e * 8 + r] is output value e of row r.
PSEG_MULTIVERSION void horizontal(const float* t, const RowPlan& plan, int cn, float* h) {
  const size_t taps = static_cast<size_t>(plan.taps), stride = static_cast<size_t>(cn) * kBlock;
  for (size_t d = 0; d < plan.first.size(); ++d) {
    const float* w = plan.weights.data() + d * taps;
    for (int c = 0; c < cn; ++c) {
      const float* v = t + (static_cast<size_t>(plan.first[d]) * cn + static_cast<size_t>(c)) * kBlock;
      float acc[kBlock] = {};
      for (size_t k = 0; k < taps; ++k, v += stride)
        for (int r = 0; r < kBlock; ++r) acc[r] = acc[r] + v[r] * w[k];
      float* out = h + (d * cn + static_cast<size_t>(c)) * kBlock;
      for (int r = 0; r < kBlock; ++r) out[r] = acc[r];
    }
  }
}

// Row r of eight side by side.
PSEG_MULTIVERSION void take_row(const float* h, size_t n, int r, float* row) {
  for (size_t e = 0; e < n; ++e) row[e] = h[e * kBlock + static_cast<size_t>(r)];
}

// The vertical step: an output row is its first source row times its weight, plus each further one's product.
PSEG_MULTIVERSION void add_row(float* sum, const float* row, float beta, size_t n, bool first) {
  if (first) {
    for (size_t e = 0; e < n; ++e) sum[e] = beta * row[e];
  } else {
    for (size_t e = 0; e < n; ++e) sum[e] = sum[e] + beta * row[e];
  }
}

// saturate_cast<uchar>: rounded to the nearest integer, halves to even (adding and taking away 1.5 * 2^23 rounds
// a float of magnitude under 2^22 so, in the default rounding mode), then clamped.
PSEG_MULTIVERSION void round_row(const float* sum, size_t n, unsigned char* out) {
  constexpr float kRound = 12582912.f;
  for (size_t e = 0; e < n; ++e)
    out[e] = static_cast<unsigned char>(std::clamp((sum[e] + kRound) - kRound, 0.f, 255.f));
}

// Output rows [d0, d1): their source rows go through the horizontal step eight at a time, each source row is added
// to the sums of the output rows it belongs to (in order, so each sum adds its rows top to bottom), and a sum is
// rounded into its row after its last source row.
void shrink_rows(const cv::Mat& src, const RowPlan& plan, const AxisCells& ys, int d0, int d1, cv::Mat& out) {
  const size_t n = static_cast<size_t>(out.cols) * static_cast<size_t>(out.channels());
  const int cn = src.channels(), s0 = ys.first[static_cast<size_t>(d0)];
  const int s1 = ys.first[static_cast<size_t>(d1 - 1)] + ys.count[static_cast<size_t>(d1 - 1)];
  std::vector<float> side((static_cast<size_t>(src.cols) + static_cast<size_t>(plan.taps)) * cn * kBlock, 0.f);
  std::vector<float> block(n * kBlock), row(n), sums(static_cast<size_t>(ys.most_open) * n);
  int unfinished = d0;  // the first output row not yet written
  for (int b = s0; b < s1; b += kBlock) {
    rows_side_by_side(src, b, side.data());
    horizontal(side.data(), plan, cn, block.data());
    for (int r = 0; r < kBlock && b + r < s1; ++r) {
      const int sy = b + r;
      take_row(block.data(), n, r, row.data());
      for (int d = unfinished; d < d1 && ys.first[static_cast<size_t>(d)] <= sy; ++d) {
        const size_t at = static_cast<size_t>(d);
        const int k = sy - ys.first[at];
        float* sum = sums.data() + static_cast<size_t>(d % ys.most_open) * n;
        add_row(sum, row.data(), ys.weights[ys.offset[at] + static_cast<size_t>(k)], n, k == 0);
        if (k == ys.count[at] - 1) {  // rows finish in order: their last source rows never decrease
          round_row(sum, n, out.ptr<unsigned char>(d));
          unfinished = d + 1;
        }
      }
    }
  }
}

cv::Mat own_resize_area(const cv::Mat& src, cv::Size to) {
  const AxisCells ys = area_cells(src.rows, to.height);
  const RowPlan plan = row_plan(area_cells(src.cols, to.width));
  cv::Mat out(to, src.type());
  // Stripes of output rows on OpenCV's threads, as cv::resize splits its work; each stripe takes its own source
  // rows through the horizontal step (a row two stripes share, twice), so the pixels do not depend on the split.
  cv::parallel_for_(
      cv::Range(0, to.height), [&](const cv::Range& r) { shrink_rows(src, plan, ys, r.start, r.end, out); },
      static_cast<double>(to.area()) / (1 << 16));
  return out;
}

}  // namespace

bool resize_area_is_own(const cv::Mat& src, cv::Size to) {
  if (src.empty() || src.depth() != CV_8U || src.channels() > 4 || to.width <= 0 || to.height <= 0) return false;
  if (to == src.size()) return false;
  // cv::resize's own tests: the scales as it derives them, and its fast path for whole factors.
  const double scale_x = area_scale(src.cols, to.width), scale_y = area_scale(src.rows, to.height);
  if (scale_x < 1 || scale_y < 1) return false;
  const auto whole = [](double scale) { return std::abs(scale - cvRound(scale)) < DBL_EPSILON; };
  return !(whole(scale_x) && whole(scale_y));
}

cv::Mat resize_area(const cv::Mat& src, cv::Size to) {
  if (resize_area_is_own(src, to)) return own_resize_area(src, to);
  cv::Mat out;
  cv::resize(src, out, to, 0, 0, cv::INTER_AREA);
  return out;
}

}  // namespace pseg
