// Module 06 — ImageFolder: a folder of class folders, root/<class>/*.png|jpg, as torchvision.datasets.ImageFolder
// reads it, turned into an ImageDataset (uint8 N x C x H x W, datasets.h).
//
// The folder scan and the decoder are not here: this file works on a listing of relative paths ("cat/001.png",
// what a native folder scan or a browser folder picker gives) and on a loader callback that returns the decoded
// pixels of one path. Natively that is stb_image (engine/cli/image_decode.h, a native-only file); in the browser it
// is the browser's own decoder (RGBA pixels from a canvas). So the web reference and student builds carry no
// image codec.
//
// As torchvision: the classes are the first-level folder names, sorted (byte order, like Python's sorted), and
// class_to_idx numbers them 0, 1, ... in that order; a class's images are taken in sorted path order at any depth
// below its folder; files whose extension is not .png, .jpg or .jpeg (any case) and files directly in the root are
// skipped. Unlike torchvision every image must come out one size (a batch is one tensor): either all images have
// the same size, or options.resize_height/width give one and every image is resized to it (bilinear, half-pixel
// centres as in PyTorch's interpolate(align_corners=False), no antialiasing).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "datasets.h"

namespace tt {

// Decoded pixels, interleaved row by row as decoders and canvases give them: (y * width + x) * channels + k.
// channels: 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA).
struct DecodedImage {
    int width = 0;
    int height = 0;
    int channels = 0;
    std::vector<uint8_t> pixels;
};

// Decodes the file at a path relative to the folder; throws (or fails) with a message naming the path if it can't.
using ImageLoader = std::function<DecodedImage(const std::string& relative_path)>;

struct ImageFolderOptions {
    int channels = 3;       // 3: RGB (gray images are repeated into 3 planes), 1: gray (luma of RGB images)
    int resize_height = 0;  // 0 with resize_width 0: every image must already have the same size
    int resize_width = 0;
};

struct ImageFolder {
    std::string root;                                  // for messages
    std::vector<std::string> classes;                  // sorted
    std::vector<std::pair<std::string, int>> samples;  // (relative path, class index), in load order
    int class_to_idx(const std::string& name) const;   // a clear error for an unknown class
};

// The classes and samples of a listing of relative paths ('/'-separated). Errors: no images at all, only one class.
ImageFolder index_image_folder(const std::string& root, std::vector<std::string> relative_paths);

// Decodes every sample with load and stacks the pixels into an ImageDataset (labels = class indices).
ImageDataset load_image_folder(const ImageFolder& folder, const ImageLoader& load,
                               const ImageFolderOptions& options = {});

// One decoded image as C x H x W bytes with `channels` channels, resized to height x width if those are not 0.
std::vector<uint8_t> image_to_chw(const DecodedImage& image, int channels, int height, int width,
                                  const std::string& what);

}  // namespace tt
