// The two binaries (tools/launcher.cpp): `portraitseg` does not link LibTorch, answers --help and --version as
// portraitseg-torch does, runs a one-photo `test` with an ONNX model without loading LibTorch (the dynamic
// loader's own record, LD_DEBUG=files, is the oracle) and the same mask as portraitseg-torch, loads OpenCV's image
// codecs only for a photo that needs them, and hands everything else over with its exit code.
#include <catch2/catch.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <sstream>

#include "tests/tools/inference_test_util.h"

using namespace pseg::test;
namespace fs = std::filesystem;

namespace {

const std::string kTorchBinary = PSEG_TORCH_BINARY;

// The shared libraries a binary names in its dynamic section, as readelf lists them.
std::string needed_libraries(const std::string& binary) {
  const CommandResult r = run_shell("readelf -d \"" + binary + "\"");
  REQUIRE(r.exit_code == 0);
  std::string needed;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);)
    if (line.find("(NEEDED)") != std::string::npos) needed += line.substr(line.find('[')) + "\n";
  return needed;
}

// Whether the dynamic loader opened a LibTorch library while the command ran.
bool loaded_libtorch(const CommandResult& r) { return r.out.find("libtorch_cpu.so") != std::string::npos; }

std::string with_program_name(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

}  // namespace

TEST_CASE("portraitseg does not link LibTorch and portraitseg-torch does", "[cli][launcher]") {
  const std::string launcher = needed_libraries(PSEG_BINARY);
  INFO(launcher);
  CHECK(launcher.find("libopencv_dnn") != std::string::npos);
  CHECK(launcher.find("libtorch") == std::string::npos);
  CHECK(launcher.find("libc10") == std::string::npos);
  const std::string full = needed_libraries(kTorchBinary);
  INFO(full);
  CHECK(full.find("libtorch_cpu") != std::string::npos);
}

TEST_CASE("portraitseg answers --help, --version and usage errors as portraitseg-torch does", "[cli][launcher]") {
  for (const std::string args : {"--help", "--version", "", "no-such-command", "--no-such-flag"}) {
    const CommandResult mine = run_cli(args);
    const CommandResult full = run_shell(shell_arg(kTorchBinary) + " " + args);
    INFO("args: " << args << "\n" << mine.out);
    CHECK(mine.exit_code == (args == "--help" || args == "--version" ? 0 : 2));
    CHECK(mine.exit_code == full.exit_code);
    CHECK(mine.out == with_program_name(full.out, kTorchBinary, PSEG_BINARY));
    CHECK_FALSE(loaded_libtorch(run_cli(args, "env LD_DEBUG=files ")));
  }
}

TEST_CASE("portraitseg runs test on an ONNX model without LibTorch, with portraitseg-torch's mask", "[cli][launcher]") {
  ScratchDir dir("launcher");
  const fs::path model = export_untrained(dir, "prisma", {{"net", "prisma_net"}});
  cv::Mat photo(150, 200, CV_8UC3);
  cv::randu(photo, 0, 255);
  cv::GaussianBlur(photo, photo, cv::Size(9, 9), 3);
  const fs::path image = dir / "photo.png";
  REQUIRE(cv::imwrite(image.string(), photo));

  const std::string args = "test --model " + shell_arg(model.string() + ".onnx") + " " + shell_arg(image) +
                           " --effect mask --threads 1 --json --out ";
  const CommandResult mine = run_cli(args + shell_arg(dir / "mine"), "env LD_DEBUG=files ");
  INFO(mine.out);
  REQUIRE(mine.exit_code == 0);
  CHECK_FALSE(loaded_libtorch(mine));
  CHECK(last_json(mine.out).at("engine") == "onednn");
  const CommandResult full = run_shell(shell_arg(kTorchBinary) + " " + args + shell_arg(dir / "full"));
  INFO(full.out);
  REQUIRE(full.exit_code == 0);
  const cv::Mat a = cv::imread((dir / "mine" / "photo_mask.png").string(), cv::IMREAD_UNCHANGED);
  const cv::Mat b = cv::imread((dir / "full" / "photo_mask.png").string(), cv::IMREAD_UNCHANGED);
  REQUIRE(!a.empty());
  REQUIRE(a.size() == photo.size());
  CHECK(cv::norm(a, b, cv::NORM_INF) == 0);

  SECTION("a photo that cannot be read fails here with exit 1") {
    const CommandResult r = run_cli("test --model " + shell_arg(model.string() + ".onnx") + " " +
                                    shell_arg(dir / "missing.jpg") + " --out " + shell_arg(dir / "m"),
                                    "env LD_DEBUG=files ");
    CHECK(r.exit_code == 1);
    CHECK_FALSE(loaded_libtorch(r));
    CHECK(r.out.find("missing.jpg") != std::string::npos);
  }
  SECTION("a TorchScript model is handed to portraitseg-torch") {
    const CommandResult r = run_cli("test --model " + shell_arg(model.string() + ".pt") + " " + shell_arg(image) +
                                    " --effect mask --threads 1 --json --out " + shell_arg(dir / "pt"),
                                    "env LD_DEBUG=files ");
    INFO(r.out);
    CHECK(r.exit_code == 0);
    CHECK(loaded_libtorch(r));
    CHECK(last_json(r.out).at("engine") == "torchscript");
  }
  SECTION("--help and usage errors of test are portraitseg-torch's, which knows every engine") {
    const CommandResult help = run_cli("test --help");
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("torchscript (.pt)") != std::string::npos);
    CHECK(run_cli("test --model " + shell_arg(dir / "none.onnx") + " " + shell_arg(image)).exit_code == 2);
    CHECK(run_cli("test --model " + shell_arg(model.string() + ".onnx") + " " + shell_arg(image) +
                  " --threshold 2").exit_code == 2);
  }
}

TEST_CASE("portraitseg loads OpenCV's image codecs only for a photo that needs them", "[cli][launcher]") {
  // OpenCV's codec library and GDAL, which it links (data/image_codecs.h), as the dynamic loader reports them.
  const auto loaded_codecs = [](const CommandResult& r) {
    return r.out.find("libopencv_imgcodecs.so") != std::string::npos || r.out.find("libgdal.so") != std::string::npos;
  };
  CHECK(needed_libraries(PSEG_BINARY).find("libopencv_imgcodecs") == std::string::npos);
  CHECK(needed_libraries(kTorchBinary).find("libopencv_imgcodecs") != std::string::npos);
  const CommandResult help = run_cli("--help", "env LD_DEBUG=files ");
  CHECK(help.exit_code == 0);
  CHECK_FALSE(loaded_codecs(help));
  CHECK(loaded_codecs(run_shell("env LD_DEBUG=files \"" + kTorchBinary + "\" --help")));  // the oracle sees them

  ScratchDir dir("launcher_codecs");
  const fs::path model = export_untrained(dir, "prisma", {{"net", "prisma_net"}});
  const std::string onnx = shell_arg(model.string() + ".onnx");
  cv::Mat photo(120, 160, CV_8UC3);
  cv::randu(photo, 0, 255);
  cv::GaussianBlur(photo, photo, cv::Size(9, 9), 3);
  REQUIRE(cv::imwrite((dir / "photo.jpg").string(), photo));
  REQUIRE(cv::imwrite((dir / "photo.png").string(), photo));
  // A JPEG to a PNG mask: libjpeg and portraitseg's own PNG writer, no codecs.
  const CommandResult jpeg = run_cli("test --model " + onnx + " " + shell_arg(dir / "photo.jpg") +
                                     " --effect mask --threads 1 --out " + shell_arg(dir / "jpeg"), "env LD_DEBUG=files ");
  INFO(jpeg.out);
  CHECK(jpeg.exit_code == 0);
  CHECK_FALSE(loaded_codecs(jpeg));
  // A PNG photo, and a JPEG result: the module is loaded and does both.
  const CommandResult png = run_cli("test --model " + onnx + " " + shell_arg(dir / "photo.png") +
                                    " --effect blur --format jpg --threads 1 --out " + shell_arg(dir / "png"),
                                    "env LD_DEBUG=files ");
  INFO(png.out);
  CHECK(png.exit_code == 0);
  CHECK(loaded_codecs(png));
  const cv::Mat blurred = cv::imread((dir / "png" / "photo_blur.jpg").string());
  CHECK(blurred.size() == photo.size());

  SECTION("without the module, a PNG photo fails naming the photo and where the module was looked for") {
    fs::create_directories(dir / "lone");
    fs::copy_file(PSEG_BINARY, dir / "lone" / "portraitseg");
    const std::string lone = shell_arg(dir / "lone" / "portraitseg");
    const CommandResult r = run_shell(lone + " test --model " + onnx + " " + shell_arg(dir / "photo.png") +
                                      " --threads 1 --out " + shell_arg(dir / "lone_out"));
    INFO(r.out);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("photo.png: cannot load OpenCV's image codecs: portraitseg-codecs.so is neither in") !=
          std::string::npos);
    CHECK(run_shell(lone + " test --model " + onnx + " " + shell_arg(dir / "photo.jpg") + " --effect mask --threads 1 --out " +
                    shell_arg(dir / "lone_out")).exit_code == 0);
  }
}

TEST_CASE("portraitseg hands other commands to portraitseg-torch with their exit codes", "[cli][launcher]") {
  ScratchDir dir("launcher_other");
  const CommandResult info = run_cli("info --net prisma_net --json", "env LD_DEBUG=files ");
  INFO(info.out);
  CHECK(info.exit_code == 0);
  CHECK(loaded_libtorch(info));
  CHECK(run_cli("train --config " + shell_arg(dir / "missing.json")).exit_code == 2);
  write_text(dir / "bad.json", "{\"model\": ");
  const CommandResult bad = run_cli("train --config " + shell_arg(dir / "bad.json"));
  CHECK(bad.exit_code == 2);
  CHECK(bad.out.find("bad.json") != std::string::npos);
}
