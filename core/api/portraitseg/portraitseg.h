#pragma once
// All of the portraitseg C++ API (docs/api.md). Applications that only run models can include
// "portraitseg/segmenter.h" and "portraitseg/effects.h" alone.
#include "portraitseg/config.h"
#include "portraitseg/effects.h"
#include "portraitseg/errors.h"
#include "portraitseg/evaluate.h"
#include "portraitseg/export.h"
#include "portraitseg/import.h"
#include "portraitseg/runtime.h"
#include "portraitseg/segmenter.h"
#include "portraitseg/train.h"
#include "portraitseg/version.h"
