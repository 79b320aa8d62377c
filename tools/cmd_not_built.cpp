// Subcommands whose implementation has not landed yet: they say so and exit 1, printing nothing else.
#include <iostream>

#include "tools/command.h"

namespace pseg::cli {

void register_not_built(CLI::App& app, Context& ctx) {
  const std::vector<std::pair<std::string, std::string>> pending = {
      {"eval", "Measure mIOU of a model on a test set"},
      {"test", "Cut the person out of photos"},
      {"video", "Segment a video with background effects"},
      {"import", "Import trained reference weights (ONNX, Keras HDF5)"},
  };
  for (const auto& [name, help] : pending) {
    auto* sub = app.add_subcommand(name, help + " (not built yet)");
    sub->allow_extras();
    add_runtime_options(sub, ctx);
    sub->callback([&ctx, name = name] {
      ctx.run = [name] {
        std::cerr << "error: portraitseg " << name << " is not built yet in this version\n";
        return 1;
      };
    });
  }
}

}  // namespace pseg::cli
