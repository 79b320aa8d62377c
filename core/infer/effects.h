#pragma once
// What `test` and `video` do with a foreground probability: a feathered alpha matte, and the person composited
// as a mask, an RGBA cut-out, over a new background, over a blurred ("bokeh") background, or in a preview.
// Images are 8-bit BGR; probabilities and alphas are CV_32FC1 in [0, 1] at the image's size.
#include <opencv2/core.hpp>

#include <string>

namespace pseg {

struct FeatherOptions {
  float threshold = 0.5f;  // probability at which alpha is 0.5
  double feather_px = 3;   // Gaussian radius in pixels (sigma = radius / 2); 0 = no blur
};

// Half-width of the probability band mapped onto the 0..1 alpha ramp by the smoothstep.
constexpr float kAlphaBand = 0.15f;

// The alpha matte: the soft probability blurred by a Gaussian of `feather_px`, then a smoothstep from
// threshold - kAlphaBand to threshold + kAlphaBand (clamped to [0, 1]). Smooth at any upsampling factor because
// it starts from the probability, never from a hard mask. Throws std::invalid_argument for a non-CV_32FC1 input
// or a threshold outside (0, 1).
cv::Mat feathered_alpha(const cv::Mat& probability, const FeatherOptions& options);

// The fraction of a CV_32FC1 probability map's pixels above `threshold` (what `test` and `serve` report as the
// person's share of the photo). Throws std::invalid_argument for another type or an empty map.
double foreground_fraction(const cv::Mat& probability, float threshold);

// A probability or alpha map as an 8-bit single-channel image (round(255 * p)).
cv::Mat to_mask8(const cv::Mat& map);

// The image with `alpha` as its fourth channel (BGRA, 8-bit), colour untouched.
cv::Mat cutout_rgba(const cv::Mat& bgr, const cv::Mat& alpha);

// image * alpha + background * (1 - alpha) per pixel; where alpha is exactly 1 the image's pixel is kept as is.
cv::Mat blend_over(const cv::Mat& bgr, const cv::Mat& alpha, const cv::Mat& background);

// A new background: a solid colour or a photo scaled to cover the frame and centre-cropped.
class Background {
 public:
  // "#RRGGBB" (hex, case-insensitive) or an image path. Throws std::invalid_argument for a malformed colour,
  // std::runtime_error naming the file when the image cannot be read.
  static Background parse(const std::string& spec);
  static Background colour(const cv::Scalar& bgr);
  static Background image(const cv::Mat& bgr);

  // The background at `size`, cached for repeated calls with the same size (video frames).
  const cv::Mat& at(cv::Size size) const;

 private:
  cv::Scalar colour_;
  cv::Mat image_;
  mutable cv::Mat cached_;
};

// Parses "#RRGGBB" into a BGR scalar; throws std::invalid_argument quoting the text.
cv::Scalar parse_hex_colour(const std::string& text);

// Scales `image` to cover `size` (aspect kept) and crops the centre: no bars, no distortion.
cv::Mat fill_crop(const cv::Mat& image, cv::Size size);

// The whole image blurred for a background: the person is masked out before blurring (normalised by the blurred
// weight) so its colours do not bleed into the halo around it. Blur sigma scales with the image size.
cv::Mat bokeh_background(const cv::Mat& bgr, const cv::Mat& alpha);

// The person over its own background blurred: blend_over(bgr, alpha, bokeh_background(bgr, alpha)).
cv::Mat blur_background(const cv::Mat& bgr, const cv::Mat& alpha);

// Side by side at the image's height: the original, the alpha matte as grey, and `result`.
cv::Mat side_by_side(const cv::Mat& bgr, const cv::Mat& alpha, const cv::Mat& result);

}  // namespace pseg
