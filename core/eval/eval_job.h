#pragma once
// core/eval: scoring masks: metrics, boundary F, the evaluator, reports and the eval job.
// The job behind `portraitseg eval`: open the model (any engine), resolve the data (a config's split or --data
// specs), check that they fit, score every image, and write the requested outputs.
#include <string>
#include <vector>

#include "core/eval/eval_report.h"
#include "core/eval/evaluator.h"
#include "core/infer/engine_registry.h"
#include "core/infer/predictor.h"

namespace pseg {

struct EvalRequest {
  std::string model;                   // .ckpt, .pt or .onnx
  std::string config;                  // data from this config's split, or
  std::vector<std::string> overrides;  // --set for the config
  std::vector<std::string> data;       // --data specs (core/config/data_spec.h)
  std::string split = "test";          // with a config: "test" or "train"
  EvalOptions options;
  PredictorOptions predictor;
  std::string json_out;       // write the result object here ("" = no)
  std::string per_image_csv;  // write one row per image here ("" = no)
  std::string sheet;          // contact sheet of the options.worst worst images ("" = no)
  EvalProgress progress;      // after each image; default: a log line now and then
};

// Throws std::invalid_argument (ConfigError) for usage and configuration problems: no or two data choices, bad
// spec or split, a config whose net takes another number of input channels than the model, an empty split;
// std::runtime_error for a missing or unreadable model, unreadable data or an output that cannot be written.
EvalReport run_eval(const EvalRequest& request);

}  // namespace pseg
