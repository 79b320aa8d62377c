#include "core/serve/request_options.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/infer/effects.h"

namespace pseg {
namespace {

void require_known(const RequestFields& fields, const std::vector<std::string>& known) {
  for (const auto& [key, value] : fields) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    throw HttpError(400, "unknown option \"" + key + "\" (known: " + list + ")");
  }
}

std::string quoted(const std::string& key, const std::string& value) { return key + "=\"" + value + "\""; }

bool parse_bool(const std::string& key, const std::string& value) {
  if (value == "true" || value == "1" || value == "yes" || value == "on") return true;
  if (value == "false" || value == "0" || value == "no" || value == "off" || value.empty()) return false;
  throw HttpError(400, quoted(key, value) + ": expected true or false");
}

double parse_number(const std::string& key, const std::string& value, double lo, double hi, bool open) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  const bool inside = open ? (v > lo && v < hi) : (v >= lo && v <= hi);
  if (used == 0 || used != value.size() || !std::isfinite(v) || !inside) {
    std::ostringstream range;
    range << (open ? "(" : "[") << lo << ", " << hi << (open ? ")" : "]");
    throw HttpError(400, quoted(key, value) + ": expected a number in " + range.str());
  }
  return v;
}

// "R,G,B" or "R,G,B,A" with components 0..255 (rembg's bgc), or "#RRGGBB".
void parse_colour(const std::string& key, const std::string& value, RemoveOptions& o) {
  if (!value.empty() && value[0] == '#') {
    try {
      o.background_bgr = parse_hex_colour(value);
    } catch (const std::invalid_argument&) {
      throw HttpError(400, quoted(key, value) + ": expected #RRGGBB or R,G,B[,A] with components 0..255");
    }
    o.background_alpha = 255;
    return;
  }
  std::vector<int> parts;
  bool malformed = false;
  std::stringstream in(value);
  std::string part;
  while (std::getline(in, part, ',')) {
    const bool digits = !part.empty() && part.size() <= 3 && std::all_of(part.begin(), part.end(), ::isdigit);
    malformed |= !digits || std::stoi(part) > 255;
    parts.push_back(digits ? std::stoi(part) : 0);
  }
  if (malformed || (parts.size() != 3 && parts.size() != 4))
    throw HttpError(400, quoted(key, value) + ": expected #RRGGBB or R,G,B[,A] with components 0..255");
  o.background_bgr = cv::Scalar(parts[2], parts[1], parts[0]);
  o.background_alpha = parts.size() == 4 ? parts[3] : 255;
}

ServeEffect parse_effect(const std::string& value) {
  if (value == "cutout") return ServeEffect::Cutout;
  if (value == "mask") return ServeEffect::Mask;
  if (value == "replace") return ServeEffect::Replace;
  if (value == "blur") return ServeEffect::Blur;
  throw HttpError(400, quoted("effect", value) + ": expected cutout, mask, replace or blur");
}

ImageFormat parse_format(const std::string& value) {
  if (const auto format = image_format_named(value)) return *format;
  throw HttpError(400, quoted("format", value) + ": expected png, jpg or webp");
}

PngCompression parse_compression(const std::string& value) {
  if (const auto png = png_compression_named(value)) return *png;
  throw HttpError(400, quoted("compression", value) + ": expected small or fast");
}

const std::string* find(const RequestFields& fields, const std::string& key) {
  const auto it = fields.find(key);
  return it == fields.end() ? nullptr : &it->second;
}

}  // namespace

RemoveOptions parse_remove_options(const RequestFields& fields, bool has_background_file) {
  require_known(fields, {"om", "bgc", "effect", "background", "threshold", "feather", "format", "compression"});
  RemoveOptions o;
  const std::string* effect = find(fields, "effect");
  if (effect) o.effect = parse_effect(*effect);
  // rembg's options choose the effect too; they must not contradict an explicit one.
  const auto imply = [&](ServeEffect implied, const std::string& why) {
    if (effect && o.effect != implied) throw HttpError(400, why + " contradicts effect=\"" + *effect + "\"");
    o.effect = implied;
  };
  if (const std::string* om = find(fields, "om"); om && parse_bool("om", *om)) imply(ServeEffect::Mask, "om=true");
  if (const std::string* bgc = find(fields, "bgc")) {
    imply(ServeEffect::Replace, "bgc");
    parse_colour("bgc", *bgc, o);
  }
  if (const std::string* background = find(fields, "background")) {
    if (find(fields, "bgc")) throw HttpError(400, "give either bgc or background, not both");
    imply(ServeEffect::Replace, "background");
    parse_colour("background", *background, o);
  }
  if (has_background_file) {
    if (find(fields, "bgc") || find(fields, "background"))
      throw HttpError(400, "a background file and a background colour were both given");
    imply(ServeEffect::Replace, "a background file");
    o.background_image = true;
  }
  if (const std::string* t = find(fields, "threshold"))
    o.threshold = static_cast<float>(parse_number("threshold", *t, 0, 1, true));
  if (const std::string* f = find(fields, "feather")) o.feather_px = parse_number("feather", *f, 0, 100, false);
  if (const std::string* format = find(fields, "format")) o.format = parse_format(*format);
  if (const std::string* compression = find(fields, "compression")) o.png = parse_compression(*compression);
  const bool has_alpha = o.effect == ServeEffect::Cutout || (o.effect == ServeEffect::Replace && o.background_alpha < 255);
  if (has_alpha && o.format == ImageFormat::Jpg)
    throw HttpError(400, "format=jpg cannot hold the transparency of this result: use png or webp");
  return o;
}

SegmentOptions parse_segment_options(const RequestFields& fields) {
  require_known(fields, {"threshold", "probability"});
  SegmentOptions o;
  if (const std::string* t = find(fields, "threshold"))
    o.threshold = static_cast<float>(parse_number("threshold", *t, 0, 1, true));
  if (const std::string* p = find(fields, "probability")) o.probability = parse_bool("probability", *p);
  return o;
}

}  // namespace pseg
