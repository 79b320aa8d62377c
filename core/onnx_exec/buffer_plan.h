#pragma once
// Where each of a compiled net's activation buffers lies in one shared block, so that buffers whose lives do not
// overlap share memory. Each value is written by one step and read by later ones; once its last reader has run, its
// bytes are free for a value written later. PortraitNet at 224 gave every value its own buffer: 46 MB per compiled
// copy, first touched by the first run and read back from main memory in every run (docs/performance.md).
// Under AddressSanitizer the arena's poisoned bytes follow the whole block, not each value: a kernel writing past
// its value into another one sharing the block is caught by the engines' agreement tests, not by the sanitizer.
#include <cstddef>
#include <vector>

namespace pseg {

// A buffer of `bytes`, in use from step `first` to step `last` (both included).
struct BufferLife {
  size_t bytes = 0;
  int first = 0;
  int last = 0;
};

struct BufferPlan {
  std::vector<size_t> offsets;  // per buffer, in the order given; each a multiple of the alignment
  size_t total_bytes = 0;       // the block they need
};

// Greedy by size (the largest buffer first, each at the lowest offset clear of every placed buffer that is in use at
// the same time). Throws std::invalid_argument for a life that ends before it starts or an alignment of 0.
BufferPlan plan_buffers(const std::vector<BufferLife>& lives, size_t alignment = 64);

}  // namespace pseg
