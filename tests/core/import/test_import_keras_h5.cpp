// Keras HDF5 import: the reference Slim-Net reproduces the stored TF.js outputs on every photo; Mobile-Unet files
// (written here from a net, both decoders) load back exactly; mismatches name the layer and weight.
#include <cstdio>

#include "core/import/import_job.h"
#include "core/import/keras_h5.h"
#include "tests/core/import_test_util.h"
#include "nets/mobile_unet.h"
#include "nets/registry.h"
#include "nets/sync_batch_norm.h"

using namespace pseg;
using namespace pseg::test;

namespace {

// A Mobile-Unet with random weights and non-trivial BN statistics.
SegNet random_mobile_unet(const std::string& decoder, uint64_t seed) {
  const Config config = import_config("mobile_unet", "", {"model.decoder=\"" + decoder + "\""});
  torch::manual_seed(seed);
  SegNet net = create_net(config.model);
  randomize_bn(*net);
  net->eval();
  return net;
}

// The net as tf.keras would save it: MobileNetV2 layer names for the encoder, generated names (numbered from
// `offset`, as in a Keras session that built other layers first) for the decoder and head; Keras layouts.
std::vector<H5Layer> mobile_unet_keras_layers(SegNetImpl& net, int offset) {
  std::vector<H5Layer> layers;
  std::map<std::string, int> counters;
  for (const auto& item : net.named_modules("", false)) {
    const std::string& p = item.key();
    torch::nn::Module& m = *item.value();
    const bool decoder = p == "head" || (p[0] == 'd' && std::isdigit(static_cast<unsigned char>(p[1])));
    std::string cls;
    H5Layer l;
    if (auto* bn = m.as<SyncBatchNorm2d>()) {
      cls = "batch_normalization";
      l.weights = {{"gamma", bn->weight}, {"beta", bn->bias}, {"moving_mean", bn->running_mean},
                   {"moving_variance", bn->running_var}};
    } else if (auto* t = m.as<torch::nn::ConvTranspose2d>()) {
      cls = "conv2d_transpose";
      l.weights = {{"kernel", t->weight.permute({2, 3, 1, 0})}, {"bias", t->bias}};
    } else if (auto* c = m.as<torch::nn::Conv2d>()) {
      cls = "conv2d";
      if (c->options.groups() > 1) l.weights = {{"depthwise_kernel", c->weight.permute({2, 3, 0, 1})}};
      else l.weights = {{"kernel", c->weight.permute({2, 3, 1, 0})}};
      if (c->bias.defined()) l.weights.emplace_back("bias", c->bias);
    } else {
      continue;
    }
    if (decoder) {
      const int n = offset + counters[cls]++;
      l.name = n == 0 ? cls : cls + "_" + std::to_string(n);
    } else {
      l.name = p;
      std::replace(l.name.begin(), l.name.end(), '.', '_');
    }
    // Keras stores "<variable scope>/<weight>:0"; the scope's number need not match the layer's.
    for (auto& w : l.weights) w.first = l.name + "_v/" + w.first + ":0";
    layers.push_back(std::move(l));
  }
  return layers;
}

void require_same_state(SegNetImpl& a, SegNetImpl& b) {
  auto pb = b.named_parameters();
  for (const auto& p : a.named_parameters()) {
    INFO(p.key());
    REQUIRE(torch::equal(p.value(), pb[p.key()]));
  }
  auto bb = b.named_buffers();
  for (const auto& x : a.named_buffers()) {
    INFO(x.key());
    if (x.key().find("num_batches_tracked") == std::string::npos) REQUIRE(torch::equal(x.value(), bb[x.key()]));
  }
}

}  // namespace

TEST_CASE("Keras h5: Mobile-Unet files load back exactly (both decoders, generated decoder names)", "[import][h5]") {
  ScratchDir dir("import_h5_munet");
  for (const std::string decoder : {"deconv", "bilinear"}) {
    INFO(decoder);
    SegNet src = random_mobile_unet(decoder, 1);
    const auto file = dir / (decoder + ".h5");
    write_keras_h5(file, mobile_unet_keras_layers(*src, 3));
    const Config config = import_config("mobile_unet", file.string(), {"model.decoder=" + decoder});
    ImportedNet imported = import_weights(file.string(), config);
    require_same_state(*src, *imported.net);
    int64_t values = 0;
    for (const auto& p : src->parameters()) values += p.numel();
    for (const auto& b : src->named_buffers())
      if (b.key().find("num_batches_tracked") == std::string::npos) values += b.value().numel();
    CHECK(imported.stats.values == values);
    CHECK(values == 3630593 + 17968);  // nets.md §2.4: Keras "Total params"
    const torch::Tensor x = torch::rand({1, 3, 128, 128});
    CHECK(torch::equal(probability(*src, x), probability(*imported.net, x)));
  }
}

TEST_CASE("Keras h5: mismatches name the layer and weight", "[import][h5][errors]") {
  ScratchDir dir("import_h5_errors");
  SegNet src = random_mobile_unet("deconv", 2);
  const std::vector<H5Layer> good = mobile_unet_keras_layers(*src, 0);
  const auto write_variant = [&](const std::string& name, const std::function<void(std::vector<H5Layer>&)>& edit) {
    std::vector<H5Layer> layers = good;
    edit(layers);
    const std::string file = (dir / (name + ".h5")).string();
    write_keras_h5(file, layers);
    return file;
  };
  const auto find = [](std::vector<H5Layer>& layers, const std::string& name) -> H5Layer& {
    for (auto& l : layers)
      if (l.name == name) return l;
    FAIL("no layer " << name);
    return layers.front();
  };

  const std::string missing = write_variant("missing", [&](auto& layers) {
    layers.erase(std::remove_if(layers.begin(), layers.end(), [](const H5Layer& l) { return l.name == "block_13_expand"; }),
                 layers.end());
  });
  std::string e = import_error(missing, "mobile_unet");
  CHECK_THAT(e, Catch::Contains("layer block_13_expand") && Catch::Contains("missing from the file"));

  const std::string extra = write_variant("extra", [&](auto& layers) {
    layers.push_back({"dense_1", {{"dense_1/kernel:0", torch::zeros({4, 2})}}});
  });
  e = import_error(extra, "mobile_unet");
  CHECK_THAT(e, Catch::Contains("layer dense_1") && Catch::Contains("unknown layer"));

  const std::string shape = write_variant("shape", [&](auto& layers) {
    find(layers, "block_1_expand").weights[0].second = torch::zeros({1, 1, 8, 40});
  });
  e = import_error(shape, "mobile_unet");
  CHECK_THAT(e, Catch::Contains("layer block_1_expand") && Catch::Contains("kernel") &&
                    Catch::Contains("[48, 8, 1, 1] in the net"));

  const std::string no_weight = write_variant("no_weight", [&](auto& layers) {
    find(layers, "bn_Conv1").weights.pop_back();
  });
  e = import_error(no_weight, "mobile_unet");
  CHECK_THAT(e, Catch::Contains("layer bn_Conv1") && Catch::Contains("moving_variance is missing"));

  const std::string deconv = write_variant("deconv", [](auto&) {});
  CHECK_THAT(import_error(deconv, "mobile_unet", {"model.decoder=bilinear"}),
             Catch::Contains("conv2d layers") && Catch::Contains("model.decoder"));
  CHECK_THAT(import_error(deconv, "slim_net"), Catch::Contains("layer conv2d") && Catch::Contains("missing"));
  CHECK_THAT(import_error(deconv, "portrait_net"), Catch::Contains("no Keras layer names are known for net portrait_net"));

  const auto garbage = dir / "garbage.h5";
  write_text(garbage, "not an HDF5 file at all");
  CHECK_THAT(import_error(garbage.string(), "mobile_unet"), Catch::Contains("not an HDF5 file"));
  // The first half of a real file: the superblock is there, the data is not.
  const auto truncated = dir / "truncated.h5";
  fs::copy_file(deconv, truncated);
  fs::resize_file(truncated, fs::file_size(truncated) / 2);
  CHECK_THAT(import_error(truncated.string(), "mobile_unet"), Catch::Contains(truncated.string()));
}

TEST_CASE("Keras h5: the reference Slim-Net reproduces the stored TF.js outputs on every photo", "[import][h5][reference]") {
  const auto ref = reference_dir_or_skip();
  const std::string file = (ref / "models/slim_reshape.h5").string();
  ImportedNet imported = import_weights(file, import_config("slim_net", file, {}));
  CHECK(imported.stats.layers == 208);
  CHECK(imported.stats.values == 347570);  // nets.md §6.5: every value of the file
  for (const auto& [stem, photo] : reference_photos(ref)) {
    INFO(stem);
    const torch::Tensor p = probability(*imported.net, reference_input(photo, 512))[0];
    const double diff = (p - read_f32(ref / "expected/slim_net" / (stem + ".f32"), 512)).abs().max().item<double>();
    std::printf("slim_net %-6s max|p - expected| = %.3g\n", stem.c_str(), diff);
    CHECK(diff <= 1e-4);
  }
}

TEST_CASE("Keras h5: a dataset whose shape claims more than the file stores is refused before allocation",
          "[import][h5][errors]") {
  // Found by tests/fuzz/fuzz_import_keras_h5.cpp: one changed byte made a bias claim 4 GB of floats.
  const std::string found = source_path("tests/fuzz/corpus/import_keras_h5/regression-dataset-shape");
  CHECK_THROWS_WITH(read_keras_h5(found), Catch::Contains(found) && Catch::Contains("dataset shape larger than the data stored"));
  // The seed it was mutated from reads: two layers, three weights.
  const auto layers = read_keras_h5(source_path("tests/fuzz/corpus/import_keras_h5/two_layers.h5"));
  REQUIRE(layers.size() == 2);
  CHECK(layers[0].weights.at(0).value.sizes() == torch::IntArrayRef({3, 3, 3, 8}));
}

TEST_CASE("Keras h5: a file that makes libhdf5 overflow a buffer is a clean error in this process",
          "[import][h5][errors]") {
  // Found by tests/fuzz/fuzz_import_keras_h5.cpp: one changed byte made H5Aexists read past a heap buffer inside
  // libhdf5. The file is read in a child process, so whatever the library does there ends as an error here.
  const std::string found = source_path("tests/fuzz/corpus/import_keras_h5/regression-libhdf5-heap-overflow");
  CHECK_THROWS_WITH(read_keras_h5(found), Catch::Contains(found));
  // The reading process is a child: this one still reads good files afterwards.
  CHECK(read_keras_h5(source_path("tests/fuzz/corpus/import_keras_h5/two_layers.h5")).size() == 2);
}
