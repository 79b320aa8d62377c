#pragma once
// Shared by the video tests: reads a written video back.
#include <opencv2/videoio.hpp>

#include <string>

namespace pseg::test {

// Frames in the file (-1 when it cannot be opened), with the size of the last frame and the stored rate.
inline int count_frames(const std::string& path, cv::Size* size = nullptr, double* fps = nullptr) {
  cv::VideoCapture cap(path);
  if (!cap.isOpened()) return -1;
  if (fps) *fps = cap.get(cv::CAP_PROP_FPS);
  int n = 0;
  cv::Mat f;
  while (cap.read(f)) {
    if (size) *size = f.size();
    ++n;
  }
  return n;
}

}  // namespace pseg::test
