#pragma once
// Prior-channel synthesis of PortraitNet's video model (§6.1 step 5): the prior plays the previous frame's
// mask, made to differ from the current one by motion blur and affine / perspective / thin-plate-spline warps.
#include <opencv2/core.hpp>

#include <optional>
#include <vector>

#include "data/augment_config.h"
#include "data/rng.h"

namespace pseg {

// One draw of the four perturbations (each present with its probability), for a canvas of `size`.
struct Perturbation {
  cv::Size size;
  std::optional<cv::Mat> motion_kernel;   // CV_32F L x L
  std::optional<cv::Mat> affine;          // 2x3, from three offset corner pairs
  std::optional<cv::Mat> perspective;     // 3x3, from four offset corner pairs
  std::vector<cv::Point2f> tps_source, tps_target;  // four corners each, empty when not drawn
};

Perturbation draw_perturbation(cv::Size size, const PriorAugment& p, Rng& rng);

enum class PlaneKind {
  Image,  // CV_8UC3: after motion blur min-max normalised to [0,255]
  Mask,   // CV_32F person map: after motion blur min-max normalised to [0,1]
  Prior,  // CV_32F prior: blurred without normalisation
  Ignore, // CV_8U 0/255 ignore map: geometric warps only, nearest
};

// Applies the perturbations in order (blur, affine, perspective, TPS) to one plane; borders 0.
cv::Mat apply_perturbation(const Perturbation& d, const cv::Mat& m, PlaneKind kind);

// Result of the synthesis for one training sample whose label is already at the canvas size.
struct PriorSynthesis {
  cv::Mat prior;        // CV_32FC1 in [0,1] (zeros when no prior was drawn)
  cv::Mat float_mask;   // perturbed CV_32F person map when the image + mask branch ran, else empty
  cv::Mat ignore;       // perturbed ignore map (0/255) in that branch, else empty
};

// With prior_prob: prior = person map; then with image_branch_prob the image (in place) and the mask are
// perturbed and the unperturbed mask stays the prior, otherwise only the prior is perturbed.
PriorSynthesis synthesize_prior(cv::Mat& image, const cv::Mat& label, const PriorAugment& p, Rng& rng);

}  // namespace pseg
