// same_mask A.png B.png: exit 0 when the two 8-bit masks are equal pixel for pixel, else 1 with what differs.
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: same_mask A.png B.png\n";
    return 2;
  }
  const cv::Mat a = cv::imread(argv[1], cv::IMREAD_UNCHANGED);
  const cv::Mat b = cv::imread(argv[2], cv::IMREAD_UNCHANGED);
  if (a.empty() || b.empty() || a.type() != CV_8UC1 || b.type() != CV_8UC1) {
    std::cerr << "same_mask: expected two readable 8-bit single-channel images\n";
    return 1;
  }
  if (a.size() != b.size()) {
    std::cerr << "same_mask: sizes differ: " << a.size() << " vs " << b.size() << "\n";
    return 1;
  }
  const int differing = cv::countNonZero(a != b);
  double max_difference = 0;
  cv::minMaxLoc(cv::abs(a - b) + cv::abs(b - a), nullptr, &max_difference);
  std::cout << argv[1] << " vs " << argv[2] << ": " << differing << " of " << a.total()
            << " pixels differ, largest difference " << max_difference << "\n";
  return differing == 0 ? 0 : 1;
}
