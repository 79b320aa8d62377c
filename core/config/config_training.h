#pragma once
// Parsers of the training sections of a config: loss, optim, schedule, train.
#include <string>

#include "core/common/json_reader.h"
#include "core/optim/optim_config.h"
#include "core/optim/schedule_config.h"
#include "core/config/train_config.h"
#include "losses/loss_config.h"

namespace pseg {

struct Config;

LossConfig parse_loss_config(const JsonReader& loss);
OptimConfig parse_optim_config(const JsonReader& optim);
ScheduleConfig parse_schedule_config(const JsonReader& schedule);
// source: the config file, whose stem names the default run directory "runs/<stem>".
TrainConfig parse_train_config(const JsonReader& train, const std::string& source);

// Parses whichever of the four sections `root` has (defaults for the others) into `config`, then checks
// them together (e.g. the schedule against optim.lr and train.epochs). Errors are ConfigError naming the key.
void parse_training_sections(const JsonReader& root, Config& config);

}  // namespace pseg
