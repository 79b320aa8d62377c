#include "portraitseg/export.h"

#include "core/api/guarded.h"
#include "core/export/export_job.h"

namespace portraitseg {

ExportSummary export_model(const std::string& checkpoint, const ExportOptions& options) {
  return detail::guarded([&] {
    pseg::ExportOptions o;
    o.model = checkpoint;
    o.format = pseg::parse_export_format(options.format());
    o.out = options.out();
    o.opset = options.opset();
    o.height = options.height();
    o.width = options.width();
    o.dynamic_batch = options.dynamic_batch();
    o.head = pseg::parse_export_head(options.head());
    o.threshold = options.threshold();
    o.verify = options.verify();
    const pseg::ExportResult r = pseg::run_export(o);
    ExportSummary s;
    for (const auto& f : r.files) s.files.push_back(f.path);
    s.json = pseg::to_json(r).dump();
    return s;
  });
}

}  // namespace portraitseg
