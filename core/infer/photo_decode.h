#pragma once
// Decoding a photo for the net. A JPEG far larger than the net's input is decoded at 1/2, 1/4 or 1/8 of its size by
// libjpeg's scaled inverse DCT: the largest reduction that still leaves at least the net's input to shrink from.
// For a 1-megapixel photo and a 224-pixel net that halves the decode and shrinks the resize after it from 4-6 ms to
// under 1 ms, and the scaled decode is itself an area-like shrink, standing in for the first part of the INTER_AREA
// resize the preprocessing would do. `test`, `serve` and Segmenter::segment_file decode this way; the effects that
// need the photo's colours decode it at full size too, and the probability still comes from the reduced pixels, so
// the mask is the same whichever effect is asked for.
#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "core/infer/predictor.h"

namespace pseg {

struct PhotoDecodeOptions {
  bool keep_full = false;  // also decode at full size (cut-out, replace, blur)
  bool reduce = true;      // false: always at full size, as the reference scripts do (`test --full-decode`)
};

struct DecodedPhoto {
  cv::Mat for_net;  // 8-bit BGR: what the net's preprocessing starts from, reduced or at full size
  cv::Mat full;     // 8-bit BGR at full size: with keep_full, or when not reduced (then the same pixels as for_net)
  cv::Size size;    // the photo's size, EXIF orientation applied
  int reduction = 1;  // 1, 2, 4 or 8
};

// How much a JPEG shown at `size` may be reduced for `meta`'s input: the largest of 2, 4 and 8 that divides both sides
// (so that each reduced pixel stands for whole pixels and the probability maps back exactly; camera sizes are
// multiples of 8 or 16) and whose reduced image still covers the input (its padded square, for pad_to_square
// models); else 1. Always 1 when the preprocessing would not shrink by area (`interpolation` linear or cubic: those
// reproduce a pipeline that resizes the full image).
int jpeg_reduction(cv::Size size, const ModelMeta& meta, ResizeInterpolation interpolation);

// Decodes an image file's bytes (decode_image's checks; `what` names it in errors) for a model at `meta` resized
// with `interpolation`. Only JPEGs are reduced (OpenCV would shrink other formats by a plain bilinear resize after a
// full decode).
DecodedPhoto decode_photo(const std::vector<unsigned char>& bytes, const std::string& what, const ModelMeta& meta,
                          ResizeInterpolation interpolation, const PhotoDecodeOptions& options = {});

// The same for `predictor`'s model and interpolation.
DecodedPhoto decode_photo(const std::vector<unsigned char>& bytes, const std::string& what, const Predictor& predictor,
                          const PhotoDecodeOptions& options = {});

}  // namespace pseg
