#include "tools/command.h"

#include <iostream>

namespace pseg::cli {

void add_runtime_options(CLI::App* sub, Context& ctx) {
  sub->add_option("--threads", ctx.runtime.threads, "LibTorch intra-op threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--device", ctx.runtime.device, "cpu, cuda or cuda:INDEX (default cpu)");
  sub->add_option("--log-level", ctx.runtime.log_level, "trace, debug, info, warn, error or off (default info)");
  sub->add_flag("--quiet", ctx.runtime.quiet, "only warnings and errors on stderr");
}

void print_line(const std::string& s) { std::cout << s << std::endl; }

}  // namespace pseg::cli
