#pragma once
// How subcommands plug into the CLI: each registers its options and the function to run once parsing is done.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/common/runtime.h"

namespace pseg::cli {

struct Context {
  RuntimeOptions runtime;
  std::function<int()> run;  // set by the chosen subcommand's callback
  // Set by commands that may run without LibTorch (test): whether the parsed invocation does, i.e. every engine it
  // needs is in this binary (tools/launcher.cpp).
  std::function<bool()> runs_here;
};

struct CommandInfo {
  std::string name;
  std::string summary;
};

// Every subcommand with its one-line summary, in help order: the launcher lists them without their options.
const std::vector<CommandInfo>& command_list();
// app.add_subcommand(name, its summary from command_list()).
CLI::App* add_command(CLI::App& app, const std::string& name);

// What both binaries do first: keep freed memory for reuse, log to stderr.
void start_process();
// The top-level app both binaries build: description, --version, exactly one subcommand.
void configure_app(CLI::App& app);
// Runs the parsed command after `apply_runtime`; an exception is reported as "error: <message>" and its exit code
// (2 usage/config, 1 runtime) returned.
int run_command(const Context& ctx, const std::function<void(const RuntimeOptions&)>& apply_runtime);

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
