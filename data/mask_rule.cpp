#include "data/mask_rule.h"

#include <opencv2/core.hpp>

#include <regex>
#include <stdexcept>

#include "data/sample.h"

namespace pseg {

cv::Mat MaskRule::apply(const cv::Mat& values) const {
  CV_Assert(values.type() == CV_8UC1);
  cv::Mat hit;
  switch (kind) {
    case Kind::Greater: hit = values > value; break;
    case Kind::GreaterEqual: hit = values >= value; break;
    case Kind::Equal:
    case Kind::EqualClass: hit = values == value; break;
  }
  cv::Mat label(values.size(), CV_8UC1, cv::Scalar(kLabelBackground));
  label.setTo(kLabelPerson, hit);
  if (kind == Kind::EqualClass && value != kLabelIgnore) label.setTo(kLabelIgnore, values == kLabelIgnore);
  return label;
}

std::string MaskRule::text() const {
  switch (kind) {
    case Kind::Greater: return ">" + std::to_string(value);
    case Kind::GreaterEqual: return ">=" + std::to_string(value);
    case Kind::Equal: return "==" + std::to_string(value);
    case Kind::EqualClass: return "==class " + std::to_string(value);
  }
  return "";
}

const char* mask_rule_forms() { return "\">N\", \">=N\", \"==N\" or \"==class K\" with 0 <= N, K <= 255"; }

MaskRule parse_mask_rule(const std::string& text) {
  static const std::regex form(R"(^\s*(>=|>|==class\s+|==)\s*(\d{1,3})\s*$)");
  std::smatch m;
  if (std::regex_match(text, m, form)) {
    const int v = std::stoi(m[2].str());
    const std::string op = m[1].str();
    if (v <= 255) {
      MaskRule r;
      r.value = v;
      if (op == ">") r.kind = MaskRule::Kind::Greater;
      else if (op == ">=") r.kind = MaskRule::Kind::GreaterEqual;
      else if (op == "==") r.kind = MaskRule::Kind::Equal;
      else r.kind = MaskRule::Kind::EqualClass;
      if (r.kind == MaskRule::Kind::Greater && v == 255)
        throw std::invalid_argument("mask rule \">255\" matches no pixel");
      return r;
    }
  }
  throw std::invalid_argument(std::string("expected ") + mask_rule_forms() + ", got \"" + text + "\"");
}

}  // namespace pseg
