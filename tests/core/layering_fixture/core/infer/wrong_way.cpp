// Fixture of the layering test: inference must not depend on training.
#include "core/infer/predictor.h"
#include "core/train/train_job.h"
