#include "core/eval/eval_report.h"

#include <cstdio>
#include <sstream>

#include "core/common/atomic_file.h"

namespace pseg {
namespace {

// Quotes a CSV field when it holds a separator, a quote or a line break.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

nlohmann::json to_json(const EvalModel& m) {
  return {{"path", m.path},
          {"engine", m.engine},
          {"net", m.net},
          {"description", m.description},
          {"input", {{"channels", m.channels}, {"height", m.height}, {"width", m.width}}},
          {"color_order", m.color_order},
          {"normalization", m.normalization},
          {"resize", m.resize},
          {"interpolation", m.interpolation},
          {"empty_prior", m.empty_prior}};
}

nlohmann::json to_json(const EvalData& d) {
  nlohmann::json j = {{"from", d.from}, {"sources", d.sources}, {"resolution", "original"}};
  if (d.from == "--data") j["specs"] = d.specs;
  else j.update({{"config", d.config}, {"split", d.split}});
  if (d.rejected > 0) j["rejected"] = d.rejected;
  return j;
}

nlohmann::json to_json(const EvalReport& r) {
  const SegMetrics& m = r.result.metrics;
  return {{"model", to_json(r.model)},
          {"data", to_json(r.data)},
          {"miou_per_image", m.miou_per_image},
          {"miou_confusion", m.miou_confusion},
          {"iou_person", m.iou_person},
          {"iou_background", m.iou_background},
          {"pixel_accuracy", m.pixel_accuracy},
          {"boundary_f", r.result.boundary_f},
          {"boundary_tolerance", r.boundary_tolerance},
          {"images", m.images},
          {"ignored_pixels", m.ignored_pixels},
          {"threshold", r.threshold},
          {"mean_inference_ms", r.result.mean_inference_ms},
          {"median_inference_ms", r.result.median_inference_ms}};
}

void write_per_image_csv(const std::string& path, const EvalResult& result) {
  std::ostringstream out;
  out << "index,id,width,height,iou,boundary_f,tp,fp,fn,tn,ignored,inference_ms,total_ms,mask\n";
  for (const auto& s : result.images) {
    const auto& c = s.counts;
    out << s.index << ',' << csv_field(s.id) << ',' << s.size.width << ',' << s.size.height << ','
        << fixed(s.iou, 6) << ',' << fixed(s.boundary_f, 6) << ',' << c.tp << ',' << c.fp << ',' << c.fn << ','
        << c.tn << ',' << c.ignored << ',' << fixed(s.inference_ms, 3) << ',' << fixed(s.total_ms, 3) << ','
        << csv_field(s.mask_path) << '\n';
  }
  write_file_atomic(path, out.str());
}

}  // namespace pseg
