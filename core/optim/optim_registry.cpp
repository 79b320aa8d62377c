#include "core/optim/optim_registry.h"

namespace pseg {

// Each optimiser file defines its entry; adding an optimiser = its file plus one line here.
OptimizerEntry adam_optimizer();
OptimizerEntry sgd_optimizer();

Registry<OptimizerEntry>& optimizer_registry() {
  static Registry<OptimizerEntry> registry("optimiser", {
                                                            adam_optimizer(),
                                                            sgd_optimizer(),
                                                        });
  return registry;
}

}  // namespace pseg
