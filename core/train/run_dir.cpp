#include "core/train/run_dir.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/common/atomic_file.h"
#include "core/common/errors.h"

namespace fs = std::filesystem;

namespace pseg {
namespace {

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) out.push_back(cell);
  return out;
}

double to_double(const std::string& s) {
  if (s.empty()) return std::nan("");
  try {
    return std::stod(s);
  } catch (const std::exception&) {
    return std::nan("");
  }
}

std::string csv_number(double v) {
  if (!std::isfinite(v)) return "";
  std::ostringstream os;
  os.precision(8);
  os << v;
  return os.str();
}

}  // namespace

RunDir::RunDir(const std::string& path, bool resume, int64_t resume_epoch) : path_(path) {
  std::error_code ec;
  fs::create_directories(path_, ec);
  if (ec || !fs::is_directory(path_)) throw RuntimeError(path_ + ": cannot create run directory");
  lock_ = std::make_unique<RunDirLock>(path_);
  if (resume) load_history(resume_epoch);
  else fs::remove(file("metrics.csv"), ec);

  // Everything logged from now on also goes to train.log.
  previous_default_ = spdlog::default_logger();
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto logfile = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file("train.log"), /*truncate=*/!resume);
  logfile->set_level(spdlog::level::info);
  auto logger = std::make_shared<spdlog::logger>("train", spdlog::sinks_init_list{console, logfile});
  logger->set_level(spdlog::level::trace);
  console->set_level(spdlog::get_level());
  logger->set_pattern("[%Y-%m-%d %H:%M:%S] %^%l%$ %v");
  logger->flush_on(spdlog::level::trace);  // each line reaches train.log as it is written: kill -9 loses none
  spdlog::set_default_logger(logger);
}

RunDir::~RunDir() {
  if (previous_default_) spdlog::set_default_logger(previous_default_);
}

std::string RunDir::file(const std::string& name) const { return (fs::path(path_) / name).string(); }

void RunDir::write_config(const nlohmann::json& resolved) const {
  write_file_atomic(file("config.json"), resolved.dump(2) + "\n");
}

void RunDir::load_history(int64_t up_to_epoch) {
  std::ifstream in(file("metrics.csv"));
  if (!in) return;
  std::string line;
  if (!std::getline(in, line)) return;
  header_ = split_csv(line);
  std::vector<std::string> kept{line};
  auto col = [&](const std::string& name) {
    for (size_t i = 0; i < header_.size(); ++i)
      if (header_[i] == name) return static_cast<int>(i);
    return -1;
  };
  while (std::getline(in, line)) {
    const auto cells = split_csv(line);
    auto get = [&](const std::string& name) {
      const int i = col(name);
      return i >= 0 && i < static_cast<int>(cells.size()) ? to_double(cells[static_cast<size_t>(i)]) : std::nan("");
    };
    if (get("epoch") > static_cast<double>(up_to_epoch)) break;
    kept.push_back(line);
    history_.push_back({get("epoch"), get("loss"), get("val_loss"), get("val_miou_per_image"),
                        get("val_miou_confusion"), get("lr")});
  }
  std::string text;
  for (const auto& l : kept) text += l + "\n";
  write_file_atomic(file("metrics.csv"), text);
}

void RunDir::record(const MetricsRow& row) {
  std::vector<std::string> header = {"epoch", "step", "lr"};
  for (const auto& [name, value] : row.train_losses) header.push_back(name);
  for (const char* k : {"val_miou_per_image", "val_miou_confusion", "val_loss", "seconds"}) header.emplace_back(k);
  const bool fresh = !fs::exists(file("metrics.csv"));
  if (fresh) header_ = header;
  std::vector<std::string> cells = {std::to_string(row.epoch), std::to_string(row.step), csv_number(row.lr)};
  for (const auto& [name, value] : row.train_losses) cells.push_back(csv_number(value));
  for (double v : {row.val_miou_per_image, row.val_miou_confusion, row.val_loss, row.seconds})
    cells.push_back(csv_number(v));
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + v[i];
    return s;
  };
  // Rewritten whole (a few KB) rather than appended, so a failing disk cannot leave half a row.
  std::string text;
  if (fresh) {
    text = join(header_) + "\n";
  } else {
    std::ifstream in(file("metrics.csv"), std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  write_file_atomic(file("metrics.csv"), text + join(cells) + "\n");

  const double train_loss = row.train_losses.empty() ? std::nan("") : row.train_losses.front().second;
  history_.push_back({static_cast<double>(row.epoch), train_loss, row.val_loss, row.val_miou_per_image,
                      row.val_miou_confusion, row.lr});
  plot_training_curves(history_, file("curves.png"));
}

}  // namespace pseg
