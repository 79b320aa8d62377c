#pragma once
// A fast deflate (RFC 1951) compressor for PNG scanlines: one block of literals and runs (matches at distance 1),
// Huffman-coded with codes fitted to the data. It finds no other repeats, so it trades some file size for speed:
// on 1-megapixel masks it is 1.5 to 7 times faster than libdeflate's fastest level for files 6-11 % larger, on
// photographs about 3 times for files about 10 % larger (docs/performance.md).
#include <cstddef>
#include <vector>

namespace pseg {

// `data` as a zlib stream (RFC 1950: header, one deflate block, Adler-32). `runs`: code a byte repeating the one
// before it three times or more as one match (masks); false: literals only, faster where runs are short (photos).
std::vector<unsigned char> rle_deflate_zlib(const unsigned char* data, size_t size, bool runs = true);

}  // namespace pseg
