#include "data/resize.h"

#include <opencv2/imgproc.hpp>

namespace pseg {

void pad_to_square(Planes& p, float pad_value) {
  const int h = p.image.rows, w = p.image.cols, side = std::max(h, w);
  const int top = (side - h) / 2, left = (side - w) / 2;
  auto pad = [&](cv::Mat& m, double fill) {
    if (m.empty()) return;
    cv::Mat out;
    cv::copyMakeBorder(m, out, top, side - h - top, left, side - w - left, cv::BORDER_CONSTANT, cv::Scalar::all(fill));
    m = out;
  };
  pad(p.image, pad_value);
  pad(p.label, 0);
  pad(p.soft, 0);
  pad(p.prior, 0);
}

void resize_planes(Planes& p, cv::Size size, bool cubic) {
  if (p.image.size() == size) return;
  const int interp = cubic ? cv::INTER_CUBIC : cv::INTER_LINEAR;
  for (cv::Mat* m : {&p.image, &p.soft, &p.prior})
    if (!m->empty()) cv::resize(*m, *m, size, 0, 0, interp);
  if (p.label.empty()) return;
  cv::Mat label;
  if (!cubic) {
    cv::resize(p.label, label, size, 0, 0, cv::INTER_NEAREST);
  } else {
    cv::Mat person = (p.label == 1) / 255, ignore;
    cv::resize(person, label, size, 0, 0, cv::INTER_CUBIC);  // uint8: saturates to 0/1
    cv::resize(p.label == 255, ignore, size, 0, 0, cv::INTER_NEAREST);
    label.setTo(255, ignore);
  }
  p.label = label;
}

void resize_to_input(Planes& p, const InputFormat& f) {
  const bool pad = f.resize == InputResize::PadSquare;
  if (pad) pad_to_square(p, f.pad_value);
  resize_planes(p, cv::Size(f.width, f.height), pad);
}

}  // namespace pseg
