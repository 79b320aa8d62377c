#include "core/datasets/data_job.h"

#include "core/common/errors.h"
#include "core/config/config.h"
#include "core/datasets/preview.h"

namespace pseg {

DatasetReport run_data(const DataRequest& r) {
  const Config config = load_config(r.config, r.overrides);
  if (config.data.train.empty() && config.data.test.empty())
    throw ConfigError(r.config + ": data: missing required section");
  const Dataset d = open_dataset(config.data);
  if (!r.preview.empty()) write_training_preview(config, *d.train, r.preview, r.preview_count);
  return d.report;
}

}  // namespace pseg
