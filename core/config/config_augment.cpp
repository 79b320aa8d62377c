// Parses the `augment` section into AugmentConfig (data/augment_config.h); keys are documented in docs/augment.md.
#include <string>

#include "core/config/config.h"

namespace pseg {
namespace {

double probability(const JsonReader& r, const std::string& key, double fallback) {
  const double p = r.get_number(key, fallback);
  if (p < 0.0 || p > 1.0) r.fail(key, "expected a probability in [0, 1], got " + std::to_string(p));
  return p;
}

double positive(const JsonReader& r, const std::string& key, double fallback) {
  const double v = r.get_number(key, fallback);
  if (v <= 0.0) r.fail(key, "expected a positive number, got " + std::to_string(v));
  return v;
}

double non_negative(const JsonReader& r, const std::string& key, double fallback) {
  const double v = r.get_number(key, fallback);
  if (v < 0.0) r.fail(key, "expected a number >= 0, got " + std::to_string(v));
  return v;
}

// [lo, hi] with 0 < lo <= hi (or 0 <= lo when `allow_zero`).
void range(const JsonReader& r, const std::string& key, double& lo, double& hi, bool allow_zero = false) {
  const auto v = r.get_number_array(key, std::vector<double>{lo, hi}, 2);
  if (v[0] > v[1] || v[0] < 0.0 || (!allow_zero && v[0] == 0.0))
    r.fail(key, std::string("expected [low, high] with ") + (allow_zero ? "0 <= " : "0 < ") + "low <= high");
  lo = v[0];
  hi = v[1];
}

AffineAugment parse_affine(const JsonReader& r, AffineAugment a) {
  r.allow_only({"rotation_deg", "scale_range", "translation"});
  a.rotation_deg = non_negative(r, "rotation_deg", a.rotation_deg);
  range(r, "scale_range", a.scale_min, a.scale_max);
  a.translation = non_negative(r, "translation", a.translation);
  return a;
}

KerasAugment parse_keras(const JsonReader& r, KerasAugment k) {
  r.allow_only({"shift", "zoom", "soft_mask"});
  k.shift = non_negative(r, "shift", k.shift);
  k.zoom = non_negative(r, "zoom", k.zoom);
  if (k.shift >= 1.0) r.fail("shift", "expected a fraction below 1");
  if (k.zoom >= 1.0) r.fail("zoom", "expected a fraction below 1");
  k.soft_mask = r.get_bool("soft_mask", k.soft_mask);
  return k;
}

SlimAugment parse_slim(const JsonReader& r, SlimAugment s) {
  r.allow_only({"crop_prob", "crop_fraction", "brightness_prob", "brightness_delta", "contrast_prob",
                "contrast_range", "saturation_prob", "saturation_range"});
  s.crop_prob = probability(r, "crop_prob", s.crop_prob);
  s.crop_fraction = positive(r, "crop_fraction", s.crop_fraction);
  if (s.crop_fraction > 1.0) r.fail("crop_fraction", "expected a fraction in (0, 1]");
  s.brightness_prob = probability(r, "brightness_prob", s.brightness_prob);
  s.brightness_delta = non_negative(r, "brightness_delta", s.brightness_delta);
  s.contrast_prob = probability(r, "contrast_prob", s.contrast_prob);
  range(r, "contrast_range", s.contrast_min, s.contrast_max, true);
  s.saturation_prob = probability(r, "saturation_prob", s.saturation_prob);
  range(r, "saturation_range", s.saturation_min, s.saturation_max, true);
  return s;
}

TextureAugment parse_texture(const JsonReader& r, TextureAugment t) {
  r.allow_only({"enhance_prob", "blur_prob", "noise_prob", "noise_sigma_max"});
  t.enhance_prob = probability(r, "enhance_prob", t.enhance_prob);
  t.blur_prob = probability(r, "blur_prob", t.blur_prob);
  t.noise_prob = probability(r, "noise_prob", t.noise_prob);
  t.noise_sigma_max = non_negative(r, "noise_sigma_max", t.noise_sigma_max);
  return t;
}

PriorAugment parse_prior(const JsonReader& r, PriorAugment p) {
  r.allow_only({"prior_prob", "image_branch_prob", "motion_blur_prob", "affine_prob", "perspective_prob", "tps_prob",
                "offset_ratio"});
  p.prior_prob = probability(r, "prior_prob", p.prior_prob);
  p.image_branch_prob = probability(r, "image_branch_prob", p.image_branch_prob);
  p.motion_blur_prob = probability(r, "motion_blur_prob", p.motion_blur_prob);
  p.affine_prob = probability(r, "affine_prob", p.affine_prob);
  p.perspective_prob = probability(r, "perspective_prob", p.perspective_prob);
  p.tps_prob = probability(r, "tps_prob", p.tps_prob);
  p.offset_ratio = non_negative(r, "offset_ratio", p.offset_ratio);
  if (p.offset_ratio >= 0.5) r.fail("offset_ratio", "expected a fraction below 0.5");
  return p;
}

}  // namespace

AugmentConfig parse_augment_config(const JsonReader& r) {
  r.allow_only({"recipe", "flip_prob", "texture_view", "boundary", "majority_filter", "affine", "keras", "slim",
                "texture", "prior"});
  AugmentConfig a;
  const std::string recipe = r.get_choice("recipe", {"portraitnet", "keras", "slim", "none"}, std::string("none"));
  if (recipe == "portraitnet") a.recipe = AugmentRecipe::PortraitNet;
  if (recipe == "keras") a.recipe = AugmentRecipe::Keras;
  if (recipe == "slim") a.recipe = AugmentRecipe::Slim;
  const bool portraitnet = a.recipe == AugmentRecipe::PortraitNet;
  a.flip_prob = probability(r, "flip_prob", a.flip_prob);
  a.texture_view = r.get_bool("texture_view", portraitnet);
  a.boundary = r.get_bool("boundary", portraitnet);
  a.majority_filter = r.get_bool("majority_filter", portraitnet);
  if (r.has("affine")) a.affine = parse_affine(r.object("affine"), a.affine);
  if (r.has("keras")) a.keras = parse_keras(r.object("keras"), a.keras);
  if (r.has("slim")) a.slim = parse_slim(r.object("slim"), a.slim);
  if (r.has("texture")) a.texture = parse_texture(r.object("texture"), a.texture);
  if (r.has("prior")) a.prior = parse_prior(r.object("prior"), a.prior);
  return a;
}

}  // namespace pseg
