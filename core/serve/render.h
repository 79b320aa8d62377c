#pragma once
// What the server does with an upload: decode it within the server's limits, make the asked-for picture from
// the model's probability (the same mask and effects as `portraitseg test`), and encode it.
#include <opencv2/core.hpp>

#include <string>

#include "core/infer/photo_decode.h"
#include "core/serve/request_options.h"

namespace pseg {

// An uploaded photo decoded for `predictor`'s model as `test` decodes it (core/infer/photo_decode.h). `what` names it
// in errors ("file", "background"). HttpError 400 when it is empty, not a PNG/JPEG/BMP/TIFF/WebP image or
// undecodable; 422 when it has more than `max_pixels` pixels (read from the header before decoding where the format
// allows).
DecodedPhoto decode_upload_photo(const std::string& bytes, const std::string& what, double max_pixels,
                                 const Predictor& predictor, const PhotoDecodeOptions& options);

// An uploaded image at full size as 8-bit BGR (a background), with the same checks.
cv::Mat decode_upload(const std::string& bytes, const std::string& what, double max_pixels);

// The picture /api/remove answers: the 8-bit mask, the BGRA cut-out, the person over a colour (BGRA when the
// colour is translucent) or over `background` (an image of any size), or over its own background blurred.
cv::Mat render_remove(const cv::Mat& bgr, const cv::Mat& probability, const RemoveOptions& options, float threshold,
                      const cv::Mat& background);

}  // namespace pseg
