#pragma once
// Synthetic portrait datasets: rendered head/hair/neck/torso figures on varied backgrounds, or real foregrounds
// composited onto background photos. Written in the PaddleSeg "list" layout (data.md §1.5):
//   DIR/images/<id>.jpg, DIR/masks/<id>.png (8-bit grey, 0 background / 1 person), DIR/train.txt, DIR/test.txt
// with lines "images/<id>.jpg masks/<id>.png" relative to DIR.
#include <opencv2/core.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "data/rng.h"

namespace pseg {

struct SynthOptions {
  std::filesystem::path out;
  int count = 100;
  int width = 256;
  int height = 256;
  uint64_t seed = 0;
  double test_fraction = 0.2;
  std::filesystem::path backgrounds;   // folder of photos used as backgrounds (optional)
  std::filesystem::path composite_fg;  // folder with images/ and masks/: composite these instead of rendering
  std::string image_ext = ".jpg";      // ".jpg" or ".png"
};

struct SynthSummary {
  size_t train = 0;
  size_t test = 0;
  size_t backgrounds = 0;  // photos found in SynthOptions::backgrounds
};

// The random choices behind one rendered figure (exposed so tests can check variety).
struct FigurePose {
  cv::Point2d head_centre;  // pixels
  double head_radius = 0;   // half the head height, pixels
  double head_tilt = 0;     // degrees
  double body_tilt = 0;
  cv::Vec3b skin;           // BGR
  cv::Vec3b clothing;
  int clothing_pattern = 0; // 0 solid, 1 stripes, 2 checks, 3 noise
  int hair_style = 0;       // 0 short, 1 long, 2 bun, 3 none
};

struct Portrait {
  cv::Mat image;  // CV_8UC3 BGR
  cv::Mat mask;   // CV_8UC1 0/1: exactly the pixels the figure was drawn on
  FigurePose pose;
  uint64_t texture_seed = 0;  // draw_figure(pose, texture_seed, canvas) redraws the same figure
};

// Draws a random figure pose for a canvas of `size`.
FigurePose draw_pose(cv::Size size, Rng& rng);
// Draws the figure of `pose` onto `canvas` (CV_8UC3, modified) and returns its 0/1 mask. Textures come from
// `texture_seed`, so the same pose and seed draw identical pixels on any background.
cv::Mat draw_figure(const FigurePose& pose, uint64_t texture_seed, cv::Mat& canvas);
// A background of `size`: gradient, noise texture, clutter, or a random crop of one of `photos`.
cv::Mat draw_background(cv::Size size, const std::vector<cv::Mat>& photos, Rng& rng);
// One complete synthetic portrait.
Portrait render_portrait(cv::Size size, const std::vector<cv::Mat>& photos, Rng& rng);

// Pastes `fg` where `mask` (0/1) is set onto `background` resized/cropped to cover fg's size.
cv::Mat composite(const cv::Mat& fg, const cv::Mat& mask, const cv::Mat& background);

// Decodes every image file of a folder (sorted by name); throws std::runtime_error naming an unreadable file.
std::vector<cv::Mat> load_photos(const std::filesystem::path& dir);

// Writes a dataset; throws std::invalid_argument for bad options, std::runtime_error for I/O failures.
SynthSummary write_synth_dataset(const SynthOptions& o);

}  // namespace pseg
