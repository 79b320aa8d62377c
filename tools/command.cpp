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

std::pair<int64_t, int64_t> parse_size_hw(const std::string& s) {
  const auto x = s.find('x');
  const auto number = [](const std::string& t) -> int64_t {
    if (t.empty() || t.size() > 6 || t.find_first_not_of("0123456789") != std::string::npos) return 0;
    return std::stoll(t);
  };
  const int64_t h = number(s.substr(0, x));
  const int64_t w = x == std::string::npos ? h : number(s.substr(x + 1));
  if (h > 0 && w > 0) return {h, w};
  throw std::invalid_argument("--size: expected HxW (height x width, as a config's input_size [H, W]) or S for a "
                              "square, positive integers, e.g. 800x600 for 600 wide and 800 high; got \"" + s + "\"");
}

void print_line(const std::string& s) { std::cout << s << std::endl; }

}  // namespace pseg::cli
