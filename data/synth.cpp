#include "data/synth.h"

#include "core/common/atomic_file.h"
#include "data/file_walk.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace pseg {
namespace fs = std::filesystem;
namespace {

constexpr double kDeg = M_PI / 180.0;

// A rigid frame: local points (y down) rotated by `angle` degrees then moved to `origin`.
struct Frame {
  cv::Point2d origin;
  double angle = 0;
  cv::Point to_canvas(cv::Point2d p) const {
    const double c = std::cos(angle * kDeg), s = std::sin(angle * kDeg);
    return {static_cast<int>(std::lround(origin.x + c * p.x - s * p.y)),
            static_cast<int>(std::lround(origin.y + s * p.x + c * p.y))};
  }
};

std::vector<cv::Point> ellipse_poly(const Frame& f, cv::Point2d centre, cv::Size2d axes) {
  std::vector<cv::Point2d> local;
  cv::ellipse2Poly(centre, axes, 0, 0, 360, 4, local);
  std::vector<cv::Point> out;
  for (const auto& p : local) out.push_back(f.to_canvas(p));
  return out;
}

std::vector<cv::Point> rect_poly(const Frame& f, double x0, double y0, double x1, double y1) {
  return {f.to_canvas({x0, y0}), f.to_canvas({x1, y0}), f.to_canvas({x1, y1}), f.to_canvas({x0, y1})};
}

cv::Vec3b jitter(cv::Vec3b c, int amount, Rng& rng) {
  cv::Vec3b out;
  for (int i = 0; i < 3; ++i) out[i] = cv::saturate_cast<uint8_t>(c[i] + uniform_int(rng, -amount, amount));
  return out;
}

cv::Vec3b random_colour(Rng& rng) {
  return {static_cast<uint8_t>(uniform_int(rng, 0, 255)), static_cast<uint8_t>(uniform_int(rng, 0, 255)),
          static_cast<uint8_t>(uniform_int(rng, 0, 255))};
}

// Smooth noise in [-1, 1]: random cells upscaled bicubically; anisotropic when cell sizes differ.
cv::Mat noise_field(cv::Size size, double cell_x, double cell_y, Rng& rng) {
  const int w = std::max(2, static_cast<int>(size.width / cell_x) + 2);
  const int h = std::max(2, static_cast<int>(size.height / cell_y) + 2);
  cv::Mat small(h, w, CV_32F);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) small.at<float>(y, x) = static_cast<float>(uniform(rng, -1.0, 1.0));
  cv::Mat big;
  cv::resize(small, big, size, 0, 0, cv::INTER_CUBIC);
  return big;
}

// colour · (1 + amount · field), per pixel.
cv::Mat shaded(cv::Size size, cv::Vec3b colour, const cv::Mat& field, double amount) {
  cv::Mat out(size, CV_8UC3);
  for (int y = 0; y < size.height; ++y) {
    const float* f = field.ptr<float>(y);
    auto* o = out.ptr<cv::Vec3b>(y);
    for (int x = 0; x < size.width; ++x)
      for (int c = 0; c < 3; ++c) o[x][c] = cv::saturate_cast<uint8_t>(colour[c] * (1.0 + amount * f[x]));
  }
  return out;
}

// Linear light falloff across the canvas along `angle`, in [-1, 1].
cv::Mat gradient_field(cv::Size size, double angle_deg) {
  cv::Mat g(size, CV_32F);
  const double c = std::cos(angle_deg * kDeg), s = std::sin(angle_deg * kDeg);
  const double half = 0.5 * (std::abs(c) * size.width + std::abs(s) * size.height) + 1e-9;
  for (int y = 0; y < size.height; ++y)
    for (int x = 0; x < size.width; ++x)
      g.at<float>(y, x) = static_cast<float>(((x - size.width / 2.0) * c + (y - size.height / 2.0) * s) / half);
  return g;
}

cv::Mat clothing_texture(cv::Size size, const FigurePose& pose, Rng& rng) {
  const cv::Vec3b second = jitter(pose.clothing, 90, rng);
  const double period = uniform(rng, 6.0, 30.0) * size.width / 256.0;
  const double angle = uniform(rng, -60.0, 60.0) * kDeg;
  cv::Mat base = shaded(size, pose.clothing, gradient_field(size, uniform(rng, 0, 360)), 0.25);
  if (pose.clothing_pattern == 0) return base;
  cv::Mat noise = noise_field(size, 3, 3, rng);
  for (int y = 0; y < size.height; ++y) {
    auto* o = base.ptr<cv::Vec3b>(y);
    for (int x = 0; x < size.width; ++x) {
      const double u = x * std::cos(angle) + y * std::sin(angle), v = -x * std::sin(angle) + y * std::cos(angle);
      bool use_second = false;
      if (pose.clothing_pattern == 1) use_second = std::fmod(std::abs(u), period) < period / 2;
      if (pose.clothing_pattern == 2)
        use_second = (static_cast<int>(std::floor(u / period)) + static_cast<int>(std::floor(v / period))) % 2 == 0;
      if (pose.clothing_pattern == 3) use_second = noise.at<float>(y, x) > 0.2f;
      if (use_second) o[x] = second;
    }
  }
  return base;
}

cv::Mat hair_texture(cv::Size size, cv::Vec3b colour, Rng& rng) {
  // Streaks: noise stretched along the vertical, plus a fine grain.
  cv::Mat streaks = noise_field(size, 2, 18, rng), grain = noise_field(size, 1, 1, rng);
  return shaded(size, colour, streaks * 0.8 + grain * 0.2, 0.35);
}

cv::Mat skin_texture(cv::Size size, const FigurePose& pose, Rng& rng) {
  cv::Mat light = gradient_field(size, uniform(rng, 0, 360)) * 0.6 + noise_field(size, 40, 40, rng) * 0.4;
  return shaded(size, pose.skin, light, 0.18);
}

void draw_face_features(cv::Mat& skin, const Frame& head, double a, double b, Rng& rng) {
  const cv::Scalar eye(uniform_int(rng, 10, 70), uniform_int(rng, 10, 60), uniform_int(rng, 10, 60));
  const int eye_r = std::max(1, static_cast<int>(0.11 * a));
  for (const double side : {-1.0, 1.0}) {
    cv::circle(skin, head.to_canvas({side * 0.38 * a, -0.05 * b}), eye_r, eye, cv::FILLED, cv::LINE_8);
    cv::line(skin, head.to_canvas({side * 0.55 * a, -0.25 * b}), head.to_canvas({side * 0.2 * a, -0.27 * b}),
             eye * 0.8, std::max(1, eye_r / 2), cv::LINE_8);
  }
  const cv::Scalar lips(uniform_int(rng, 60, 120), uniform_int(rng, 60, 110), uniform_int(rng, 130, 200));
  cv::line(skin, head.to_canvas({-0.3 * a, 0.5 * b}), head.to_canvas({0.3 * a, 0.5 * b}), lips,
           std::max(1, eye_r), cv::LINE_8);
  cv::line(skin, head.to_canvas({0.0, 0.0}), head.to_canvas({0.05 * a, 0.28 * b}), eye * 1.8,
           std::max(1, eye_r / 2), cv::LINE_8);
}

// Copies `texture` through the part's polygons onto the canvas and adds them to the mask.
void paint(cv::Mat& canvas, cv::Mat& mask, const std::vector<std::vector<cv::Point>>& polys, const cv::Mat& texture) {
  cv::Mat part = cv::Mat::zeros(canvas.size(), CV_8UC1);
  // One call per polygon: a single fillPoly would cancel overlaps (even-odd rule).
  for (const auto& poly : polys) cv::fillPoly(part, std::vector<std::vector<cv::Point>>{poly}, cv::Scalar(1), cv::LINE_8);
  texture.copyTo(canvas, part);
  mask |= part;
}

// A random window of `photo` with the aspect ratio of `size`, resized to it.
cv::Mat cover_crop(const cv::Mat& photo, cv::Size size, Rng& rng, double min_fraction) {
  const double aspect = static_cast<double>(size.width) / size.height;
  int w = photo.cols, h = static_cast<int>(photo.cols / aspect);
  if (h > photo.rows) {
    h = photo.rows;
    w = static_cast<int>(photo.rows * aspect);
  }
  const double f = uniform(rng, min_fraction, 1.0);
  w = std::max(1, static_cast<int>(w * f));
  h = std::max(1, static_cast<int>(h * f));
  const int x = uniform_int(rng, 0, photo.cols - w), y = uniform_int(rng, 0, photo.rows - h);
  cv::Mat out;
  cv::resize(photo(cv::Rect(x, y, w, h)), out, size, 0, 0, cv::INTER_AREA);
  return out;
}

}  // namespace

FigurePose draw_pose(cv::Size size, Rng& rng) {
  static const std::vector<cv::Vec3b> skins = {{189, 214, 246}, {160, 196, 234}, {128, 170, 222}, {99, 142, 198},
                                               {70, 110, 170},  {50, 80, 130},   {36, 56, 92},    {147, 192, 255}};
  FigurePose p;
  const double side = std::min(size.width, size.height);
  p.head_radius = side * uniform(rng, 0.09, 0.24);
  p.head_centre = {size.width * uniform(rng, 0.2, 0.8), size.height * uniform(rng, 0.15, 0.55)};
  p.head_tilt = uniform(rng, -25.0, 25.0);
  p.body_tilt = uniform(rng, -10.0, 10.0);
  p.skin = jitter(skins[static_cast<size_t>(uniform_int(rng, 0, static_cast<int>(skins.size()) - 1))], 12, rng);
  p.clothing = random_colour(rng);
  p.clothing_pattern = uniform_int(rng, 0, 3);
  p.hair_style = uniform_int(rng, 0, 3);
  return p;
}

cv::Mat draw_figure(const FigurePose& pose, uint64_t texture_seed, cv::Mat& canvas) {
  Rng rng(texture_seed);
  const cv::Size size = canvas.size();
  const double b = pose.head_radius, a = b * uniform(rng, 0.72, 0.85);
  static const std::vector<cv::Vec3b> hair_colours = {{20, 20, 25}, {30, 45, 70}, {40, 80, 130}, {90, 160, 210},
                                                      {40, 60, 160}, {170, 170, 175}};
  const cv::Vec3b hair_colour =
      jitter(hair_colours[static_cast<size_t>(uniform_int(rng, 0, static_cast<int>(hair_colours.size()) - 1))], 10, rng);
  // Neck base: the pivot of both head and body.
  const Frame body{pose.head_centre + cv::Point2d(0, 1.5 * b), pose.body_tilt};
  const double ht = pose.head_tilt * kDeg;
  const Frame head{body.origin + cv::Point2d(1.5 * b * std::sin(ht), -1.5 * b * std::cos(ht)), pose.head_tilt};
  const double shoulder = a * uniform(rng, 2.4, 3.4), far = 4.0 * (size.width + size.height);

  const cv::Mat hair = hair_texture(size, hair_colour, rng);
  cv::Mat skin = skin_texture(size, pose, rng);
  const cv::Mat cloth = clothing_texture(size, pose, rng);
  draw_face_features(skin, head, a, b, rng);

  cv::Mat mask = cv::Mat::zeros(size, CV_8UC1);
  if (pose.hair_style == 1)
    paint(canvas, mask, {ellipse_poly(head, {0, -0.1 * b}, {1.18 * a, 1.12 * b}),
                         rect_poly(head, -1.18 * a, -0.1 * b, 1.18 * a, 2.4 * b)}, hair);
  paint(canvas, mask, {rect_poly(body, -0.42 * a, -1.0 * b, 0.42 * a, 0.6 * b)}, skin);
  paint(canvas, mask, {ellipse_poly(body, {0, 1.05 * b}, {shoulder, 0.8 * b}),
                       rect_poly(body, -shoulder * 0.98, 1.05 * b, shoulder * 1.02, far)}, cloth);
  paint(canvas, mask, {ellipse_poly(head, {-a, 0.05 * b}, {0.2 * a, 0.3 * b}),
                       ellipse_poly(head, {a, 0.05 * b}, {0.2 * a, 0.3 * b})}, skin);
  if (pose.hair_style != 3) {
    std::vector<std::vector<cv::Point>> cap = {ellipse_poly(head, {0, -0.13 * b}, {1.08 * a, 1.06 * b})};
    if (pose.hair_style == 2) cap.push_back(ellipse_poly(head, {0, -1.15 * b}, {0.45 * a, 0.4 * a}));
    paint(canvas, mask, cap, hair);
  }
  paint(canvas, mask, {ellipse_poly(head, {0, 0.04 * b}, {a, b})}, skin);
  return mask;
}

cv::Mat draw_background(cv::Size size, const std::vector<cv::Mat>& photos, Rng& rng) {
  const int kind = uniform_int(rng, 0, photos.empty() ? 2 : 4);
  if (kind >= 3) return cover_crop(photos[static_cast<size_t>(uniform_int(rng, 0, static_cast<int>(photos.size()) - 1))],
                                   size, rng, 0.4);
  const cv::Vec3b c0 = random_colour(rng), c1 = random_colour(rng);
  cv::Mat t = kind == 1 ? noise_field(size, uniform(rng, 4, 60), uniform(rng, 4, 60), rng)
                        : gradient_field(size, uniform(rng, 0, 360));
  cv::Mat bg(size, CV_8UC3);
  for (int y = 0; y < size.height; ++y)
    for (int x = 0; x < size.width; ++x) {
      const double w = 0.5 * (1.0 + std::clamp(t.at<float>(y, x), -1.f, 1.f));
      for (int c = 0; c < 3; ++c) bg.at<cv::Vec3b>(y, x)[c] = cv::saturate_cast<uint8_t>(c0[c] * (1 - w) + c1[c] * w);
    }
  if (kind == 2) {
    const int shapes = uniform_int(rng, 8, 40);
    for (int i = 0; i < shapes; ++i) {
      const cv::Vec3b c = random_colour(rng);
      const cv::Scalar colour(c[0], c[1], c[2]);
      const cv::Point p(uniform_int(rng, 0, size.width - 1), uniform_int(rng, 0, size.height - 1));
      const int r = std::max(2, static_cast<int>(uniform(rng, 0.02, 0.2) * size.width));
      switch (uniform_int(rng, 0, 2)) {
        case 0: cv::circle(bg, p, r, colour, cv::FILLED); break;
        case 1: cv::rectangle(bg, p, p + cv::Point(r, uniform_int(rng, 2, 2 * r)), colour, cv::FILLED); break;
        default: cv::line(bg, p, cv::Point(uniform_int(rng, 0, size.width - 1), uniform_int(rng, 0, size.height - 1)),
                          colour, uniform_int(rng, 1, 6));
      }
    }
    if (chance(rng, 0.5)) cv::GaussianBlur(bg, bg, cv::Size(0, 0), uniform(rng, 1.0, 4.0));
  }
  // Sensor-like grain of a few grey levels.
  const cv::Mat grain = noise_field(size, 1, 1, rng) * 6.0;
  cv::Mat grain3, f;
  cv::merge(std::vector<cv::Mat>{grain, grain, grain}, grain3);
  bg.convertTo(f, CV_32FC3);
  f += grain3;
  f.convertTo(bg, CV_8UC3);
  return bg;
}

Portrait render_portrait(cv::Size size, const std::vector<cv::Mat>& photos, Rng& rng) {
  Portrait p;
  p.pose = draw_pose(size, rng);
  p.texture_seed = rng();
  p.image = draw_background(size, photos, rng);
  p.mask = draw_figure(p.pose, p.texture_seed, p.image);
  return p;
}

cv::Mat composite(const cv::Mat& fg, const cv::Mat& mask, const cv::Mat& background) {
  cv::Mat out;
  cv::resize(background, out, fg.size(), 0, 0, cv::INTER_AREA);
  fg.copyTo(out, mask);
  return out;
}

std::vector<cv::Mat> load_photos(const fs::path& dir) {
  if (dir.empty()) return {};
  if (!fs::is_directory(dir)) throw std::invalid_argument(dir.string() + ": not a directory");
  std::vector<cv::Mat> photos;
  for (const auto& f : list_images(dir, false)) {
    cv::Mat m = cv::imread(f.string(), cv::IMREAD_COLOR);
    if (m.empty()) throw std::runtime_error(f.string() + ": cannot decode image");
    photos.push_back(m);
  }
  return photos;
}

SynthSummary write_synth_dataset(const SynthOptions& o) {
  if (o.count < 1) throw std::invalid_argument("synth: --count must be at least 1");
  if (o.width < 16 || o.height < 16) throw std::invalid_argument("synth: --size must be at least 16");
  if (o.test_fraction < 0 || o.test_fraction >= 1) throw std::invalid_argument("synth: --test-fraction must be in [0, 1)");
  if (o.image_ext != ".jpg" && o.image_ext != ".png") throw std::invalid_argument("synth: image format must be jpg or png");
  SynthSummary summary;
  const std::vector<cv::Mat> photos = load_photos(o.backgrounds);
  summary.backgrounds = photos.size();
  if (!o.backgrounds.empty() && photos.empty())
    throw std::invalid_argument(o.backgrounds.string() + ": no images (jpg, jpeg, png, bmp) found");

  std::vector<std::pair<fs::path, fs::path>> foregrounds;
  if (!o.composite_fg.empty()) {
    const fs::path images = o.composite_fg / "images", masks = o.composite_fg / "masks";
    if (!fs::is_directory(images) || !fs::is_directory(masks))
      throw std::invalid_argument(o.composite_fg.string() + ": expected images/ and masks/ folders");
    for (const auto& img : list_images(images, false)) {
      const fs::path m = masks / (img.stem().string() + ".png");
      if (fs::exists(m)) foregrounds.emplace_back(img, m);
    }
    if (foregrounds.empty()) throw std::invalid_argument(o.composite_fg.string() + ": no image/mask pairs");
  }

  fs::create_directories(o.out / "images");
  fs::create_directories(o.out / "masks");
  std::vector<std::string> lines;
  for (int i = 0; i < o.count; ++i) {
    Rng rng = sample_rng(o.seed, 0, static_cast<uint64_t>(i));
    char stem[32];
    std::snprintf(stem, sizeof(stem), "%s_%05d", foregrounds.empty() ? "synth" : "comp", i);
    cv::Mat image, mask;
    if (foregrounds.empty()) {
      Portrait p = render_portrait(cv::Size(o.width, o.height), photos, rng);
      image = p.image;
      mask = p.mask;
    } else {
      const auto& [img_path, mask_path] = foregrounds[static_cast<size_t>(i) % foregrounds.size()];
      const cv::Mat fg = cv::imread(img_path.string(), cv::IMREAD_COLOR);
      const cv::Mat raw = cv::imread(mask_path.string(), cv::IMREAD_GRAYSCALE);
      if (fg.empty()) throw std::runtime_error(img_path.string() + ": cannot decode image");
      if (raw.empty() || raw.size() != fg.size())
        throw std::runtime_error(mask_path.string() + ": cannot decode mask or size differs from the image");
      double max_value = 0;
      cv::minMaxLoc(raw, nullptr, &max_value);
      mask = (max_value <= 1 ? raw > 0 : raw >= 128) / 255;
      const cv::Mat bg = photos.empty() ? draw_background(fg.size(), photos, rng)
                                        : cover_crop(photos[static_cast<size_t>(uniform_int(
                                                         rng, 0, static_cast<int>(photos.size()) - 1))],
                                                     fg.size(), rng, 0.4);
      image = composite(fg, mask, bg);
    }
    const std::string image_rel = std::string("images/") + stem + o.image_ext;
    const std::string mask_rel = std::string("masks/") + stem + ".png";
    write_image_atomic((o.out / image_rel).string(), image);
    write_image_atomic((o.out / mask_rel).string(), mask);
    lines.push_back(image_rel + " " + mask_rel);
  }

  // Seeded split: a shuffled order's first test_fraction goes to the test list; each list keeps file order.
  std::vector<size_t> order(lines.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  Rng split(splitmix64(o.seed ^ 0x7e57ull));
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[split() % i]);
  const auto n_test = static_cast<size_t>(std::lround(o.test_fraction * static_cast<double>(lines.size())));
  std::vector<bool> is_test(lines.size(), false);
  for (size_t i = 0; i < n_test; ++i) is_test[order[i]] = true;
  std::string train, test;
  for (size_t i = 0; i < lines.size(); ++i) (is_test[i] ? test : train) += lines[i] + "\n";
  write_file_atomic((o.out / "train.txt").string(), train);
  write_file_atomic((o.out / "test.txt").string(), test);
  summary.test = n_test;
  summary.train = lines.size() - n_test;
  return summary;
}

}  // namespace pseg
