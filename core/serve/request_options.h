#pragma once
// The options a request may give `POST /api/remove` and `POST /v1/segment` (query string or form fields), parsed
// into typed structs; a bad key or value is an HttpError that names it.
#include <opencv2/core.hpp>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/infer/image_format.h"

namespace pseg {

// A request that cannot be answered as asked: the HTTP status and a one-line message for the JSON error body.
struct HttpError : std::runtime_error {
  HttpError(int status, const std::string& message) : std::runtime_error(message), status(status) {}
  int status;
};

enum class ServeEffect { Cutout, Mask, Replace, Blur };

struct RemoveOptions {
  ServeEffect effect = ServeEffect::Cutout;
  cv::Scalar background_bgr{255, 255, 255};  // replace over a colour (the default: white) ...
  int background_alpha = 255;                // ... with this opacity (rembg's bgc=R,G,B,A)
  bool background_image = false;             // ... or over the uploaded `background` file
  std::optional<float> threshold;            // default: the model's
  double feather_px = 3;
  ImageFormat format = ImageFormat::Png;
  PngCompression png = PngCompression::Small;  // compression=small|fast, for a PNG answer
};

struct SegmentOptions {
  std::optional<float> threshold;
  bool probability = false;  // also return the float32 probability map
};

// Query parameters and text form fields, by name (a repeated name keeps its last value).
using RequestFields = std::map<std::string, std::string>;

// `has_background_file`: the request uploaded a `background` file. Throws HttpError 400 for an unknown key or a
// malformed or contradictory value (om=true with effect=blur, a cut-out as JPEG, ...).
RemoveOptions parse_remove_options(const RequestFields& fields, bool has_background_file);
SegmentOptions parse_segment_options(const RequestFields& fields);

}  // namespace pseg
