#pragma once
// How subcommands plug into the CLI: each registers its options and the function to run once parsing is done.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "core/runtime.h"

namespace pseg::cli {

struct Context {
  RuntimeOptions runtime;
  std::function<int()> run;  // set by the chosen subcommand's callback
};

// Adds --threads, --device, --log-level, --quiet to a subcommand.
void add_runtime_options(CLI::App* sub, Context& ctx);

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

}  // namespace pseg::cli
