// Config parsing: --set overrides, key-path errors, model section against the net's option schema.
#include "core/config/config.h"

#include <catch2/catch.hpp>

using namespace pseg;
using nlohmann::json;

TEST_CASE("apply_override parses JSON values, falls back to strings, walks paths", "[core][config]") {
  json j = {{"model", {{"net", "prisma_net"}}}, {"data", {{"train", json::array({{{"root", "a"}}})}}}};
  apply_override(j, "model.input_size=[64,64]");
  REQUIRE(j["model"]["input_size"] == json::array({64, 64}));
  apply_override(j, "model.net=slim_net");
  REQUIRE(j["model"]["net"] == "slim_net");
  apply_override(j, "train.epochs=3");
  REQUIRE(j["train"]["epochs"] == 3);
  apply_override(j, "train.flag=true");
  REQUIRE(j["train"]["flag"] == true);
  apply_override(j, "data.train[0].root=b/c");
  REQUIRE(j["data"]["train"][0]["root"] == "b/c");
  apply_override(j, "note=a=b");
  REQUIRE(j["note"] == "a=b");

  REQUIRE_THROWS_AS(apply_override(j, "noequals"), ConfigError);
  REQUIRE_THROWS_WITH(apply_override(j, "data.train[3].root=x"), Catch::Contains("has no element 3"));
  REQUIRE_THROWS_WITH(apply_override(j, "model.net.sub=1"), Catch::Contains("model.net is not an object"));
}

TEST_CASE("parse_config: model section errors name the key path", "[core][config]") {
  REQUIRE_THROWS_WITH(parse_config(json::parse(R"({"model": {"net": "prisma_net"}, "extra": 1})")),
                      Catch::Contains("extra: unknown key"));
  REQUIRE_THROWS_WITH(parse_config(json::parse(R"({"model": {}})")), Catch::Contains("model.net: missing required key"));
  REQUIRE_THROWS_WITH(parse_config(json::parse(R"({"model": {"net": 3}})")),
                      Catch::Contains("model.net: expected a string, got 3"));
  REQUIRE_THROWS_WITH(parse_config(json::parse(R"({"model": {"net": "prisma_net", "input_size": [0, 5]}})")),
                      Catch::Contains("model.input_size"));
  REQUIRE_THROWS_WITH(parse_config(json::parse(R"({"model": []})")), Catch::Contains("model: expected an object"));

  const auto c = parse_config(json::parse(R"({"model": {"net": "prisma_net", "input_size": [128, 64]}})"));
  REQUIRE(c.model.net == "prisma_net");
  REQUIRE(c.model.height == 128);
  REQUIRE(c.model.width == 64);
}

TEST_CASE("JsonReader choice and number errors read like the docs", "[core][config]") {
  const json j = json::parse(R"({"decoder": "foo", "n": 1.5, "flag": "yes"})");
  const JsonReader r(j, "model");
  REQUIRE_THROWS_WITH(r.get_choice("decoder", {"deconv", "bilinear"}),
                      "model.decoder: expected \"deconv\" or \"bilinear\", got \"foo\"");
  REQUIRE_THROWS_WITH(r.get_int("n"), "model.n: expected an integer, got 1.5");
  REQUIRE_THROWS_WITH(r.get_bool("flag"), "model.flag: expected true or false, got \"yes\"");
  REQUIRE(r.get_number("n") == 1.5);
  REQUIRE(r.get_int("missing", 7) == 7);
}

TEST_CASE("config: config_hash is FNV-1a over the canonical JSON, the same in every build", "[core][config]") {
  // Values computed independently (FNV-1a 64 over the UTF-8 text).
  CHECK(config_hash(nlohmann::json::object()) == "08f44b07b5901a25");
  const auto j = nlohmann::json::parse(R"({"model": {"net": "prisma_net", "input_size": [64, 64]}})");
  CHECK(config_hash(j) == "83d9a09c33cab445");  // keys sorted, no spaces
  nlohmann::json other = j;
  apply_override(other, input_size_override(128, 64));
  CHECK(config_hash(other) != config_hash(j));
}
