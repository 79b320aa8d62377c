#include "core/onnx_exec/buffer_plan.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

namespace pseg {
namespace {

size_t next_multiple(size_t n, size_t of) { return (n + of - 1) / of * of; }

bool overlap(const BufferLife& a, const BufferLife& b) { return a.first <= b.last && b.first <= a.last; }

}  // namespace

BufferPlan plan_buffers(const std::vector<BufferLife>& lives, size_t alignment) {
  if (alignment == 0) throw std::invalid_argument("plan_buffers: the alignment must be positive");
  for (size_t i = 0; i < lives.size(); ++i)
    if (lives[i].last < lives[i].first)
      throw std::invalid_argument("plan_buffers: buffer " + std::to_string(i) + " is last used (step " +
                                  std::to_string(lives[i].last) + ") before it is first used (step " +
                                  std::to_string(lives[i].first) + ")");
  std::vector<size_t> order(lives.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return lives[a].bytes > lives[b].bytes; });

  BufferPlan plan;
  plan.offsets.assign(lives.size(), 0);
  std::vector<size_t> placed;
  std::vector<std::pair<size_t, size_t>> taken;  // [begin, end) of the placed buffers alive with the one being placed
  for (size_t i : order) {
    taken.clear();
    for (size_t j : placed)
      if (overlap(lives[i], lives[j])) taken.emplace_back(plan.offsets[j], plan.offsets[j] + lives[j].bytes);
    std::sort(taken.begin(), taken.end());
    size_t offset = 0;
    for (const auto& [begin, end] : taken) {
      if (offset + lives[i].bytes <= begin) break;
      offset = std::max(offset, next_multiple(end, alignment));
    }
    plan.offsets[i] = offset;
    plan.total_bytes = std::max(plan.total_bytes, offset + lives[i].bytes);
    placed.push_back(i);
  }
  return plan;
}

}  // namespace pseg
