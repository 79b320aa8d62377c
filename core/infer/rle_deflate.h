#pragma once
// A fast deflate (RFC 1951) compressor for PNG scanlines: one block of literals and runs (matches at distance 1),
// Huffman-coded with codes fitted to the data. It finds no other repeats, so it trades some file size for speed:
// on 1-megapixel masks it is several times faster than libdeflate's fastest level, and files stay of similar size
// (docs/performance.md).
#include <cstddef>
#include <vector>

namespace pseg {

// `data` as a zlib stream (RFC 1950: header, one deflate block, Adler-32).
std::vector<unsigned char> rle_deflate_zlib(const unsigned char* data, size_t size, bool runs = true);

}  // namespace pseg
