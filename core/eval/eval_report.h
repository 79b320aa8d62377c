#pragma once
// What `portraitseg eval` reports: the --json object and the --per-image CSV.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/eval/evaluator.h"

namespace pseg {

// The model as evaluated: file, engine and the preprocessing from its metadata.
struct EvalModel {
  std::string path, engine, net, description;
  int64_t channels = 3, height = 0, width = 0;
  std::string color_order, normalization, resize, interpolation;
  bool empty_prior = false;  // a prior-channel model given zeros (still images)
};

// Where the images came from: a config's split or --data specs, the sources opened, pairs rejected.
struct EvalData {
  std::string from;                 // "config" | "--data"
  std::string config, split;        // from a config
  std::vector<std::string> specs;   // from --data
  std::vector<std::string> sources;
  size_t rejected = 0;
};

struct EvalReport {
  EvalResult result;
  float threshold = 0.5f;
  double boundary_tolerance = 0;  // fraction of the image diagonal
  EvalModel model;
  EvalData data;
  std::string sheet;  // the contact sheet written ("" = none)
};

// The metrics under their names (training.md §4.4) plus timing, model and data descriptions, one object.
nlohmann::json to_json(const EvalReport& report);
nlohmann::json to_json(const EvalModel& model);
nlohmann::json to_json(const EvalData& data);

// Header index,id,width,height,iou,boundary_f,tp,fp,fn,tn,ignored,inference_ms,total_ms,mask; one row per image.
// Written atomically; throws std::runtime_error naming the file when it cannot be written.
void write_per_image_csv(const std::string& path, const EvalResult& result);

}  // namespace pseg
