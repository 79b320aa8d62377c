#pragma once
// The dataset report (data/dataset.h) as JSON and as log lines.
#include <nlohmann/json.hpp>

#include "data/dataset.h"

namespace pseg {

// {"train": {"pairs", "samples", "rejected": [{"file", "reason"}], "sources": [...]}, "test": {...}}
nlohmann::json to_json(const DatasetReport& report);

// One info line per split and source; a warning per rejected pair (the first few) and their count.
void log_dataset_report(const DatasetReport& report);

}  // namespace pseg
