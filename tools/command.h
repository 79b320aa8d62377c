#pragma once
// How subcommands plug into the CLI: each registers its options and the function to run once parsing is done.
#include <CLI/CLI.hpp>

#include <functional>
#include <cstdint>
#include <string>
#include <utility>

#include "core/common/runtime.h"

namespace pseg::cli {

struct Context {
  RuntimeOptions runtime;
  std::function<int()> run;  // set by the chosen subcommand's callback
};

// Adds --threads, --device, --log-level, --quiet to a subcommand.
void add_runtime_options(CLI::App* sub, Context& ctx);

// The one --size convention of every command: "HxW" (height first, as a config's input_size [H, W]) or "S" for a
// square, positive integers. Throws std::invalid_argument naming the expected order otherwise.
std::pair<int64_t, int64_t> parse_size_hw(const std::string& text);

// Prints a JSON value (or any text) as the machine-readable result on stdout.
void print_line(const std::string& s);

void register_info(CLI::App& app, Context& ctx);
void register_data(CLI::App& app, Context& ctx);
void register_synth(CLI::App& app, Context& ctx);
void register_bench(CLI::App& app, Context& ctx);
void register_export(CLI::App& app, Context& ctx);
void register_train(CLI::App& app, Context& ctx);
void register_import(CLI::App& app, Context& ctx);
void register_test(CLI::App& app, Context& ctx);
void register_video(CLI::App& app, Context& ctx);
void register_eval(CLI::App& app, Context& ctx);
void register_serve(CLI::App& app, Context& ctx);

}  // namespace pseg::cli
