// The portraitseg-codecs module (data/image_codecs.h): data/image_codecs.cpp, compiled with hidden symbols, and the
// one symbol the launcher looks up.
#include "data/image_codecs.h"

extern "C" __attribute__((visibility("default"))) const pseg::CodecFunctions portraitseg_codecs{&pseg::codecs_decode,
                                                                                                &pseg::codecs_encode};
