#pragma once
// Paired geometric transforms (data.md §6): the image is resampled bilinearly, the label with nearest
// neighbour, soft target and prior bilinearly; every plane gets the same matrix, crop or flip.
#include <opencv2/core.hpp>

#include "data/augment_config.h"
#include "data/planes.h"
#include "data/rng.h"

namespace pseg {

// PortraitNet deformation (§6.1 step 2), given its random draws: moves the centre of the whole source image
// to the canvas centre, then rotates by `angle_deg` (counter-clockwise) and scales by
// `scale_factor * mean(W/(w-1), H/(h-1))` about the canvas centre shifted by (ox, oy). 2x3 CV_64F.
cv::Mat portraitnet_matrix(cv::Size source, cv::Size canvas, double angle_deg, double scale_factor, double ox,
                           double oy);
// Draws angle, scale and centre offset from `a` (in this order) and returns the matrix.
cv::Mat draw_portraitnet_matrix(cv::Size source, cv::Size canvas, const AffineAugment& a, Rng& rng);

// Warps all planes onto `canvas` with a forward matrix: image border `image_fill`, label/soft/prior border 0.
void warp_portraitnet(Planes& p, const cv::Mat& m, cv::Size canvas, double image_fill = 128.0);

// Keras ImageDataGenerator shift/zoom as an inverse map (output -> source) in (x=col, y=row) order:
// src_row = zx (r - o_r) + o_r + tx, src_col = zy (c - o_c) + o_c + ty, o = (size - 1) / 2.
cv::Mat keras_matrix(cv::Size size, double tx, double ty, double zx, double zy);
// Draws tx = U(-s, s)·H, ty = U(-s, s)·W, zx, zy = U(1 - z, 1 + z).
cv::Mat draw_keras_matrix(cv::Size size, const KerasAugment& k, Rng& rng);
// Applies a Keras inverse-map matrix with BORDER_REPLICATE. With `soft_mask` the label is resampled
// bilinearly into `soft` (person probability) and the label becomes soft >= 0.5 (ignore pixels kept, nearest).
void warp_keras(Planes& p, const cv::Mat& inverse, bool soft_mask);

// Crop window of `fraction` of each side at a uniform position (Slim-Net §6.4 step 4).
cv::Rect draw_crop(cv::Size size, double fraction, Rng& rng);
void crop(Planes& p, const cv::Rect& r);

void hflip(Planes& p);

}  // namespace pseg
