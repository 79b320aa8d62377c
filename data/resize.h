#pragma once
// Bringing planes to the net's input size: stretch, or PortraitNet's evaluation pad-to-square (§6.1).
#include <opencv2/core.hpp>

#include "data/input_format.h"
#include "data/planes.h"

namespace pseg {

// Pads to a square of side max(h, w), content centred at int((long - short) / 2) along the short side;
// image filled with `pad_value`, label/soft/prior with 0.
void pad_to_square(Planes& p, float pad_value);

// Resizes every plane to `size`: image (and soft/prior) bilinear, or bicubic with `cubic`; the label
// nearest, or bicubic on its 0/1 person map with `cubic` (ignore pixels follow nearest).
void resize_planes(Planes& p, cv::Size size, bool cubic);

// The format's resize rule: PadSquare = pad_to_square + bicubic resize (PortraitNet evaluation);
// Stretch = bilinear image, nearest label.
void resize_to_input(Planes& p, const InputFormat& f);

}  // namespace pseg
