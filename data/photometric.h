#pragma once
// Photometric transforms: PIL ImageEnhance semantics and the texture augmentation of PortraitNet (§6.1 step 6),
// motion blur (§6.1 step 5), and Slim-Net's brightness/contrast/saturation (§6.4). They never move pixels.
#include <opencv2/core.hpp>

#include "data/augment_config.h"
#include "data/rng.h"

namespace pseg {

// PIL ImageEnhance on CV_8UC3 RGB: out = round(clip(degenerate + f (img - degenerate))).
// Color: degenerate = luma L = 0.299R + 0.587G + 0.114B (uint8) replicated; Brightness: black;
// Contrast: uniform at the rounded mean of L; Sharpness: 3x3 [[1,1,1],[1,5,1],[1,1,1]]/13, border unchanged.
cv::Mat enhance_color(const cv::Mat& rgb, double f);
cv::Mat enhance_brightness(const cv::Mat& rgb, double f);
cv::Mat enhance_contrast(const cv::Mat& rgb, double f);
cv::Mat enhance_sharpness(const cv::Mat& rgb, double f);

// Motion-blur kernel: L x L identity diagonal rotated by `angle_deg` about (L/2, L/2), divided by L.
cv::Mat motion_blur_kernel(int length, double angle_deg);

// PortraitNet texture view of a CV_8UC3 BGR image: enhance (Color, Brightness, Contrast, Sharpness),
// blur (Gaussian / median / box, k 3 or 5), Gaussian noise, each with its probability. Returns CV_32FC3 BGR
// in [0,255] (noise is kept as float).
cv::Mat texture_augment(const cv::Mat& bgr, const TextureAugment& t, Rng& rng);

// Slim-Net colour steps on CV_8UC3 BGR (in place): brightness delta, per-channel contrast about the mean,
// HSV saturation factor, each with its probability.
void slim_color(cv::Mat& bgr, const SlimAugment& s, Rng& rng);

}  // namespace pseg
