#pragma once
// PSEG_MULTIVERSION before a function compiles it for AVX-512 and AVX2 beside the baseline x86-64, picked once at load
// time for the CPU (GCC's target_clones): hot loops of our own vectorise on the machine that runs them while the
// binary stays portable. Elsewhere (clang, other CPUs) the function is compiled once, as usual.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define PSEG_MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define PSEG_MULTIVERSION
#endif
