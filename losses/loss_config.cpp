#include "losses/loss_config.h"

#include "losses/loss_registry.h"

#include <stdexcept>

namespace pseg {

void validate_loss_config(const LossConfig& c) {
  auto fail = [](const std::string& key, const std::string& msg) { throw std::invalid_argument("loss." + key + ": " + msg); };
  if (c.recipe != "bce" && c.recipe != "ce" && c.recipe != "portraitnet" && c.recipe != "custom")
    fail("recipe", "expected \"bce\", \"ce\", \"portraitnet\" or \"custom\", got \"" + c.recipe + "\"");
  if (c.focal_gamma < 0) fail("focal_gamma", "must be >= 0");
  if (c.kl_temperature <= 0) fail("kl_temperature", "must be > 0");
  if (c.kl_weight < 0) fail("kl_weight", "must be >= 0");
  if (c.boundary_weight < 0) fail("boundary_weight", "must be >= 0");
  if (c.recipe != "custom" && !c.terms.empty()) fail("terms", "only recipe \"custom\" takes a term list");
  if ((c.recipe == "bce" || c.recipe == "ce") && (c.consistency || c.boundary))
    fail(c.consistency ? "consistency" : "boundary",
         "recipe \"" + c.recipe + "\" has a single mask term (use \"portraitnet\" or \"custom\")");
  if (c.recipe == "custom" && c.boundary)
    fail("boundary", "recipe \"custom\" adds the boundary loss as a \"focal\" term");
  if (c.recipe != "custom") return;
  if (c.terms.empty()) fail("terms", "recipe \"custom\" needs at least one term");
  for (size_t i = 0; i < c.terms.size(); ++i) {
    const auto& t = c.terms[i];
    const std::string key = "terms[" + std::to_string(i) + "]";
    const LossTermEntry* entry = loss_term_registry().find(t.kind);
    if (!entry)
      fail(key + ".kind",
           "unknown loss term \"" + t.kind + "\" (known: " + join_names(loss_term_registry().names()) + ")");
    if (t.weight < 0) fail(key + ".weight", "must be >= 0");
    if (entry->target == LossTermEntry::Target::Consistency && !c.consistency)
      fail(key + ".kind", "a \"" + t.kind + "\" term compares two views: set loss.consistency to true");
  }
}

}  // namespace pseg
