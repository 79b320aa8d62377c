#pragma once
// What `portraitseg eval` reports: the --json object and the --per-image CSV.
#include <nlohmann/json.hpp>

#include <string>

#include "core/evaluator.h"

namespace pseg {

struct EvalReport {
  EvalResult result;
  float threshold = 0.5f;
  double boundary_tolerance = 0;  // fraction of the image diagonal
  nlohmann::json model;  // path, engine, net, input, preprocessing
  nlohmann::json data;   // where the images came from
  std::string sheet;     // the contact sheet written ("" = none)
};

// The metrics under their names (training.md §4.4) plus timing, model and data descriptions, one object.
nlohmann::json to_json(const EvalReport& report);

// Header index,id,width,height,iou,boundary_f,tp,fp,fn,tn,ignored,inference_ms,total_ms,mask; one row per image.
// Written atomically; throws std::runtime_error naming the file when it cannot be written.
void write_per_image_csv(const std::string& path, const EvalResult& result);

}  // namespace pseg
