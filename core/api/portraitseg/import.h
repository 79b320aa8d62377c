#pragma once
// Loading trained reference weights (ONNX, Keras HDF5) into a portraitseg net and writing a checkpoint, as
// `portraitseg import` does.
#include <cstdint>
#include <string>
#include <vector>

#include "portraitseg/errors.h"

namespace portraitseg {

struct ImportSummary {
  std::string out;
  std::string net;
  std::string format;      // the importer used
  int64_t parameters = 0;  // values in the net's parameters
  std::string json;        // everything `portraitseg import --json` prints
};

// `from`: a weight file; `net`: the net to build; `overrides`: "model.key=VALUE" options. Nothing is written unless
// every weight found its place. Throws ConfigError for an unknown net or file type, RuntimeError otherwise.
ImportSummary import_weights(const std::string& from, const std::string& net, const std::string& out_checkpoint,
                             const std::vector<std::string>& overrides = {});

}  // namespace portraitseg
