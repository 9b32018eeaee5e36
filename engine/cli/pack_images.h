// `tt pack-images DIR OUT`: an image folder (root/<class>/*.png|jpg) packed into one .ttds shard (datasets.h).
#pragma once

#include <CLI/CLI.hpp>

namespace tt::cli {

// Adds the command to tt's command line; its callback sets exit_code.
void add_pack_images_command(CLI::App& app, int& exit_code);

}  // namespace tt::cli
