#pragma once
// The weight importers `portraitseg import` knows, one file each (core/import/import_<format>.cpp): the file
// types each reads and the function that loads such a file's weights into a net.
#include <functional>
#include <string>
#include <vector>

#include "core/common/registry.h"
#include "core/model_io/weight_copy.h"
#include "nets/segnet.h"

namespace pseg {

struct ImporterEntry {
  std::string name;                     // "onnx", "keras_h5"
  std::string summary;
  std::vector<std::string> extensions;  // lower case, with the dot
  // Loads the file's weights into `net`; errors as documented in the importer's header.
  std::function<ImportStats(const std::string& path, SegNetImpl& net)> load;
};

Registry<ImporterEntry>& importer_registry();

// "onnx (.onnx), keras_h5 (.h5 / .hdf5)": for help texts.
std::string importer_list();

// The importer reading files with `path`'s extension. Throws std::invalid_argument naming the file and the known
// file types.
const ImporterEntry& importer_for_file(const std::string& path);

}  // namespace pseg
