// What `portraitseg serve` does with a request's options and upload (core/serve): the first line is the query
// string ("effect=replace&bgc=1,2,3,4&..."), the rest the uploaded image. Options are parsed as /api/remove and
// /v1/segment parse them, the image decoded within a 1-megapixel limit, and the answer rendered and encoded over
// a made-up probability, as a worker does. A query starting with '!' stands for a request that also uploaded a
// background file (the image itself serves as that background).
#include <opencv2/imgproc.hpp>

#include "core/infer/image_format.h"
#include "core/serve/render.h"
#include "core/serve/request_options.h"
#include "tests/fuzz/fuzz_main.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

pseg::RequestFields parse_query(const std::string& query) {
  pseg::RequestFields fields;
  size_t start = 0;
  while (start <= query.size()) {
    const size_t end = std::min(query.find('&', start), query.size());
    const std::string pair = query.substr(start, end - start);
    const size_t eq = pair.find('=');
    if (!pair.empty()) fields[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
    start = end + 1;
  }
  return fields;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input = pseg::fuzz::as_text(data, size);
  const size_t newline = std::min(input.find('\n'), input.size());
  const bool background_file = size > 0 && input[0] == '!';
  const pseg::RequestFields fields = parse_query(input.substr(background_file, newline - background_file));
  const std::string upload = newline < input.size() ? input.substr(newline + 1) : std::string();
  pseg::fuzz::parse_or_reject([&] { pseg::parse_segment_options(fields); });
  pseg::fuzz::parse_or_reject([&] {
    const pseg::RemoveOptions options = pseg::parse_remove_options(fields, background_file);
    const cv::Mat bgr = pseg::decode_upload(upload, "file", 1e6);
    cv::Mat probability(bgr.size(), CV_32F);
    for (int y = 0; y < bgr.rows; ++y)
      for (int x = 0; x < bgr.cols; ++x) probability.at<float>(y, x) = static_cast<float>(x + 1) / (bgr.cols + 1);
    const cv::Mat image = pseg::render_remove(bgr, probability, options, options.threshold.value_or(0.5f), bgr);
    pseg::encode_image(image, options.format, options.png);
  });
  return 0;
}
