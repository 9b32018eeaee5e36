// `tt pack-images DIR OUT [--size HxW] [--gray]`: decodes every image of DIR/<class>/ with stb_image, checks they
// share a size (or resizes them to --size), and writes the uint8 N x C x H x W set as a .ttds shard that the
// trainer, the tests and the web pages read (read_packed). Prints the classes in label order and the decode speed.
#include "pack_images.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "datasets.h"
#include "error.h"
#include "image_decode.h"
#include "profile.h"

namespace tt::cli {
namespace {

struct PackOptions {
    std::string dir;
    std::string out;
    std::string size;  // "HxW" or "N" (square); empty: the images' own size
    bool gray = false;
};

// "32" → 32x32, "24x32" → 24 high, 32 wide, "" → 0x0 (no resize); anything else: the reason, else "".
std::string parse_size(const std::string& text, int& height, int& width) {
    height = width = 0;
    if (text.empty()) return "";
    const size_t x = text.find('x');
    const std::string parts[2] = {text.substr(0, x), x == std::string::npos ? text.substr(0, x) : text.substr(x + 1)};
    int values[2] = {0, 0};
    for (int i = 0; i < 2; i++) {
        if (parts[i].empty() || parts[i].size() > 5 || parts[i].find_first_not_of("0123456789") != std::string::npos)
            return "'" + text + "' is not N or HxW (whole numbers, e.g. 32 or 24x32)";
        values[i] = std::stoi(parts[i]);
        if (values[i] < 1 || values[i] > 8192) return "'" + text + "' is outside 1..8192";
    }
    height = values[0];
    width = values[1];
    return "";
}

int pack_images(const PackOptions& o) {
    ImageFolderOptions options;
    options.channels = o.gray ? 1 : 3;
    const std::string bad = parse_size(o.size, options.resize_height, options.resize_width);
    TT_CHECK(bad.empty(), "--size: " << bad);
    const auto t0 = std::chrono::steady_clock::now();
    ImageFolder folder;
    const ImageDataset data = read_image_folder(o.dir, options, &folder);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    write_packed(data, o.out);
    std::printf("classes (label: name):");
    for (size_t c = 0; c < folder.classes.size(); c++) std::printf(" %zu:%s", c, folder.classes[c].c_str());
    std::printf("\npacked %lld images of %dx%dx%d (C x H x W) into %s: %s as uint8 (%s as float32)\n",
                static_cast<long long>(data.count), data.channels, data.height, data.width, o.out.c_str(),
                format_bytes(double(data.pixels.size())).c_str(), format_bytes(4.0 * data.pixels.size()).c_str());
    std::printf("read + decode: %.2f s, %.0f images/s\n", seconds, seconds > 0 ? double(data.count) / seconds : 0.0);
    return 0;
}

}  // namespace

void add_pack_images_command(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<PackOptions>();
    CLI::App* cmd = app.add_subcommand("pack-images", "pack an image folder DIR/<class>/*.png|jpg into a .ttds shard");
    cmd->add_option("dir", o->dir, "the folder of class folders")->required()->check(CLI::ExistingDirectory);
    cmd->add_option("out", o->out, "the .ttds file to write")->required();
    cmd->add_option("--size", o->size, "resize every image to HxW (or NxN for one number), bilinear")
        ->type_name("HxW")
        ->check(CLI::Validator(
            [](std::string& text) {
                int h = 0, w = 0;
                return parse_size(text, h, w);
            },
            "HxW"));
    cmd->add_flag("--gray", o->gray, "one gray channel instead of RGB");
    cmd->callback([o, &exit_code] { exit_code = pack_images(*o); });
}

}  // namespace tt::cli
