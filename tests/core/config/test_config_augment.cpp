// The `augment` config section: defaults per recipe, overrides, errors naming the key path.
#include "core/config/config.h"
#include "tests/test_support.h"

using namespace pseg;

namespace {

Config parse(const nlohmann::json& augment) {
  return parse_config({{"model", {{"net", "portrait_net"}}}, {"augment", augment}});
}

}  // namespace

TEST_CASE("augment defaults") {
  const Config none = parse_config({{"model", {{"net", "portrait_net"}}}});
  CHECK(none.augment.recipe == AugmentRecipe::None);
  const Config pn = parse({{"recipe", "portraitnet"}});
  CHECK(pn.augment.recipe == AugmentRecipe::PortraitNet);
  CHECK(pn.augment.texture_view);
  CHECK(pn.augment.boundary);
  CHECK(pn.augment.majority_filter);
  CHECK(pn.augment.affine.rotation_deg == 45);
  CHECK(pn.augment.affine.scale_min == 0.5);
  CHECK(pn.augment.affine.scale_max == 1.5);
  CHECK(pn.augment.affine.translation == 0.25);
  CHECK(pn.augment.prior.prior_prob == 0.5);
  const Config k = parse({{"recipe", "keras"}});
  CHECK_FALSE(k.augment.texture_view);
  CHECK(k.augment.keras.shift == Approx(0.1));
  CHECK(k.augment.keras.zoom == Approx(0.2));
  CHECK(parse({{"recipe", "slim"}}).augment.slim.crop_fraction == Approx(0.8));
}

TEST_CASE("augment overrides") {
  const Config c = parse({{"recipe", "keras"},
                          {"flip_prob", 0.0},
                          {"keras", {{"shift", 0.2}, {"soft_mask", true}}},
                          {"affine", {{"scale_range", {0.8, 1.2}}}},
                          {"prior", {{"prior_prob", 1.0}}},
                          {"texture_view", true}});
  CHECK(c.augment.flip_prob == 0.0);
  CHECK(c.augment.keras.shift == Approx(0.2));
  CHECK(c.augment.keras.soft_mask);
  CHECK(c.augment.affine.scale_min == Approx(0.8));
  CHECK(c.augment.prior.prior_prob == 1.0);
  CHECK(c.augment.texture_view);
}

TEST_CASE("augment errors name the key path") {
  CHECK_THROWS_WITH(parse({{"recipe", "foo"}}), Catch::Contains("augment.recipe"));
  CHECK_THROWS_WITH(parse({{"flip_prob", 1.5}}), Catch::Contains("augment.flip_prob"));
  CHECK_THROWS_WITH(parse({{"affine", {{"scale_range", {1.5, 0.5}}}}}), Catch::Contains("augment.affine.scale_range"));
  CHECK_THROWS_WITH(parse({{"keras", {{"zoom", "big"}}}}), Catch::Contains("augment.keras.zoom"));
  CHECK_THROWS_WITH(parse({{"prior", {{"tps", 0.5}}}}), Catch::Contains("augment.prior.tps"));
  CHECK_THROWS_WITH(parse({{"colour", true}}), Catch::Contains("augment.colour"));
  CHECK_THROWS_AS(parse({{"texture", {{"noise_prob", -0.1}}}}), ConfigError);
}
