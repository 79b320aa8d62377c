#pragma once
// Options of the training augmentation (data.md §6). Plain structs: core/config/config_augment.cpp fills them from
// the config's `augment` section; the defaults are the reference recipes' values.
namespace pseg {

enum class AugmentRecipe {
  None,         // resize only
  PortraitNet,  // affine deformation + flip, prior synthesis, texture view (§6.1)
  Keras,        // shift/zoom + flip of Mobile-Unet / Prisma-Net (§6.2, §6.3)
  Slim,         // brightness/contrast/saturation, crop, flip of Slim-Net (§6.4)
};

// PortraitNet deformation (§6.1 steps 2-3).
struct AffineAugment {
  double rotation_deg = 45.0;  // angle ~ U(-r, r)
  double scale_min = 0.5;      // times the fit-to-canvas scale
  double scale_max = 1.5;
  double translation = 0.25;   // centre offset ~ U(-t, t) * canvas side
};

// Keras ImageDataGenerator shift/zoom (§6.2): 0.1 for Mobile-Unet, 0.2 for Prisma-Net.
struct KerasAugment {
  double shift = 0.1;       // fraction of height / width
  double zoom = 0.2;        // zx, zy ~ U(1 - z, 1 + z), independent
  bool soft_mask = false;   // bilinear mask -> `soft` target, as the reference (label = soft >= 0.5)
};

// Slim-Net crop and colour (§6.4).
struct SlimAugment {
  double crop_prob = 0.5;
  double crop_fraction = 0.8;
  double brightness_prob = 0.5;
  double brightness_delta = 0.1;  // in [0,1] units
  double contrast_prob = 0.5;
  double contrast_min = 0.1;
  double contrast_max = 0.8;
  double saturation_prob = 0.5;
  double saturation_min = 0.1;
  double saturation_max = 0.8;
};

// PortraitNet texture augmentation of the second view (§6.1 step 6).
struct TextureAugment {
  double enhance_prob = 0.5;  // PIL Color, Brightness, Contrast, Sharpness in sequence
  double blur_prob = 0.5;     // Gaussian / median / box, k in {3, 5}
  double noise_prob = 0.5;
  double noise_sigma_max = 10.0;
};

// Prior-channel synthesis for the 4-channel (video) model (§6.1 step 5).
struct PriorAugment {
  double prior_prob = 0.5;         // prior = mask (else zeros)
  double image_branch_prob = 0.5;  // perturb image + mask (else the prior only)
  double motion_blur_prob = 0.5;
  double affine_prob = 0.5;
  double perspective_prob = 0.5;
  double tps_prob = 0.5;
  double offset_ratio = 0.05;      // corner offsets drawn from [-r*side, r*side)
};

struct AugmentConfig {
  AugmentRecipe recipe = AugmentRecipe::None;
  double flip_prob = 0.5;       // horizontal flip (PortraitNet, Keras, Slim)
  bool texture_view = false;    // second, texture-augmented view for the consistency loss
  bool boundary = false;        // 4 px contour target
  bool majority_filter = false; // 5x5 majority filter of the mask target (PortraitNet §6.1 step 8)
  AffineAugment affine;
  KerasAugment keras;
  SlimAugment slim;
  TextureAugment texture;
  PriorAugment prior;
};

const char* to_string(AugmentRecipe r);

}  // namespace pseg
