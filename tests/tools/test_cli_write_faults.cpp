// Every file a user keeps goes through one writer (core/common/atomic_file.h). Each command that writes such files
// runs here while its writes fail as a disk fails, and must exit 1 with an error line naming the file, leave the
// previous file byte for byte, and leave no temp file:
//   no space     a file-size limit (RLIMIT_FSIZE, 512 bytes): the kernel refuses the write itself (EFBIG);
//   denied       the output directory is read-only (as root, the command runs as `nobody` so that it applies);
//   fsync, rename  injected (PORTRAITSEG_INJECT_WRITE_FAULT): no file system here fails them on demand.
#include <catch2/catch.hpp>

#include <opencv2/videoio.hpp>
#include <unistd.h>

#include <fstream>
#include <regex>

#include "tests/tools/inference_test_util.h"

using namespace pseg;
using namespace pseg::test;
namespace fs = std::filesystem;

namespace {

struct Fault {
  std::string name;
  std::string wrap;  // shell words before the binary
};

std::vector<Fault> faults() {
  std::vector<Fault> f = {
      {"no space", "sh -c 'ulimit -f 1 && trap \"\" XFSZ && exec \"$0\" \"$@\"' "},
      {"fsync", "env PORTRAITSEG_INJECT_WRITE_FAULT=sync "},
      {"rename", "env PORTRAITSEG_INJECT_WRITE_FAULT=rename "},
      {"denied", ::geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : ""},
  };
  return f;
}

// Every regular file under `dir` with its content, but for a run's log and lock: train.log is appended line by
// line as it is written, not replaced.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name != "train.log" && name != ".lock")
      files[fs::relative(e.path(), dir).string()] = read_text(e.path());
  }
  return files;
}

std::vector<std::string> temp_files(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().find(".tmp-") != std::string::npos) found.push_back(e.path().string());
  return found;
}

// A command writing kept files into `out_dir`, which already holds the files of an earlier run.
struct Case {
  std::string name;
  fs::path out_dir;
  std::string args;
};

void check_fails_cleanly(const Case& c, const Fault& fault) {
  INFO(c.name << " with " << fault.name);
  const auto before = snapshot(c.out_dir);
  REQUIRE(!before.empty());
  if (fault.name == "denied") fs::permissions(c.out_dir, fs::perms::owner_write | fs::perms::group_write |
                                                             fs::perms::others_write, fs::perm_options::remove);
  const auto r = run_cli(c.args, fault.wrap);
  fs::permissions(c.out_dir, fs::perms::owner_write, fs::perm_options::add);
  INFO(r.out);
  CHECK(r.exit_code == 1);
  // One error line, naming a file under the output directory, and nothing like a stack trace.
  const std::regex error_line("(^|\n)error: [^\n]*" + std::regex_replace(c.out_dir.string(), std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") + "[^\n]*");
  CHECK(std::regex_search(r.out, error_line));
  CHECK(r.out.find("Exception raised from") == std::string::npos);
  CHECK(snapshot(c.out_dir) == before);
  CHECK(temp_files(c.out_dir).empty());
}

}  // namespace

TEST_CASE("write faults: synth, export, test, eval and video keep the previous files and leave no temp file",
          "[tools][faults]") {
  ScratchDir dir("write_faults");
  fs::permissions(dir.path(), fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  const fs::path data = dir / "data";
  REQUIRE(run_cli("synth --out " + shell_arg(data) + " --count 6 --size 64 --quiet").exit_code == 0);
  const fs::path model = export_untrained(dir, "net", {{"net", "prisma_net"}});
  const fs::path photo = data / "images" / "synth_00000.jpg";
  REQUIRE(fs::exists(photo));
  const fs::path clip = dir / "clip.avi";
  {
    cv::VideoWriter w(clip.string(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10, cv::Size(64, 48));
    for (int i = 0; i < 3; ++i) w.write(cv::Mat(48, 64, CV_8UC3, cv::Scalar(40 * i, 90, 160)));
  }

  const std::vector<Case> cases = {
      {"synth", dir / "synth_out", "synth --count 4 --size 64 --quiet --out " + shell_arg(dir / "synth_out")},
      {"export", dir / "export_out",
       "export --config " + shell_arg(dir / "net.json") + " --no-verify --format onnx --out " +
           shell_arg(dir / "export_out")},
      {"test", dir / "test_out",
       "test --model " + shell_arg(model.string() + ".onnx") + " --effect cutout --out " + shell_arg(dir / "test_out") +
           " " + shell_arg(photo)},
      {"eval", dir / "eval_out",
       "eval --model " + shell_arg(model.string() + ".onnx") + " --data " + shell_arg("list:" + data.string() + ",list=test.txt") +
           " --json " + shell_arg(dir / "eval_out" / "report.json") + " --save-masks " + shell_arg(dir / "eval_out" / "masks")},
      {"video", dir / "video_out",
       "video --model " + shell_arg(model.string() + ".onnx") + " --out " + shell_arg(dir / "video_out" / "cut.avi") +
           " " + shell_arg(clip)},
  };
  for (const auto& c : cases) {
    // The earlier run whose files must survive.
    const auto first = run_cli(c.args);
    INFO(first.out);
    REQUIRE(first.exit_code == 0);
    fs::permissions(c.out_dir, fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
    for (const auto& fault : faults()) check_fails_cleanly(c, fault);
  }
}

TEST_CASE("write faults: a resumed training run keeps its checkpoints and records when writes fail",
          "[tools][faults]") {
  ScratchDir dir("write_faults_train");
  fs::permissions(dir.path(), fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  const fs::path data = dir / "data", run = dir / "run";
  write_tiny_dataset(data);
  const std::string cfg = write_json(dir / "train.json", tiny_train_config({{"net", "prisma_net"}, {"input_size", {64, 64}}}, data, run));
  const auto first = run_cli("train --config " + shell_arg(cfg) + " --quiet");
  INFO(first.out);
  REQUIRE(first.exit_code == 0);
  REQUIRE(fs::exists(run / "last.ckpt"));
  fs::permissions(run, fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  for (const auto& fault : faults())
    check_fails_cleanly({"train --resume", run, "train --resume " + shell_arg(run) + " --set train.epochs=2 --quiet"}, fault);
}
