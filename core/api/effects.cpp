#include "portraitseg/effects.h"

#include "core/api/guarded.h"
#include "core/infer/effects.h"
#include "core/infer/harmonize.h"

namespace portraitseg {
namespace {

pseg::Harmonize internal(Harmonize h) {
  switch (h) {
    case Harmonize::ColorTransfer: return pseg::Harmonize::ColorTransfer;
    case Harmonize::SeamlessClone: return pseg::Harmonize::SeamlessClone;
    case Harmonize::None: break;
  }
  return pseg::Harmonize::None;
}

}  // namespace

cv::Mat alpha_matte(const cv::Mat& probability, const MatteOptions& options) {
  return detail::guarded([&] {
    pseg::FeatherOptions feather;
    feather.threshold = options.threshold();
    feather.feather_px = options.feather_px();
    return pseg::feathered_alpha(probability, feather);
  });
}

cv::Mat cutout(const cv::Mat& bgr, const cv::Mat& alpha) {
  return detail::guarded([&] { return pseg::cutout_rgba(bgr, alpha); });
}

cv::Mat replace_background(const cv::Mat& bgr, const cv::Mat& alpha, const cv::Mat& background, Harmonize harmonize) {
  return detail::guarded([&] {
    return pseg::replace_background(bgr, alpha, pseg::Background::image(background).at(bgr.size()),
                                    internal(harmonize));
  });
}

cv::Mat replace_background(const cv::Mat& bgr, const cv::Mat& alpha, const cv::Scalar& colour) {
  return detail::guarded([&] {
    return pseg::replace_background(bgr, alpha, pseg::Background::colour(colour).at(bgr.size()),
                                    pseg::Harmonize::None);
  });
}

cv::Mat blur_background(const cv::Mat& bgr, const cv::Mat& alpha) {
  return detail::guarded([&] { return pseg::blur_background(bgr, alpha); });
}

}  // namespace portraitseg
