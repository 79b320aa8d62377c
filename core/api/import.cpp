#include "portraitseg/import.h"

#include "core/api/guarded.h"
#include "core/import/import_job.h"

namespace portraitseg {

ImportSummary import_weights(const std::string& from, const std::string& net, const std::string& out_checkpoint,
                             const std::vector<std::string>& overrides) {
  return detail::guarded([&] {
    pseg::ImportOptions o;
    o.from = from;
    o.net = net;
    o.out = out_checkpoint;
    o.overrides = overrides;
    const pseg::ImportResult r = pseg::run_import(o);
    ImportSummary s;
    s.out = r.out;
    s.net = r.net;
    s.format = r.format;
    s.parameters = r.parameters;
    s.json = pseg::to_json(r).dump();
    return s;
  });
}

}  // namespace portraitseg
