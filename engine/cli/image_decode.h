// Native image decoding for ImageFolder (data/image_folder.h): the folder scan and the stb_image decoder (Debian's
// libstb-dev, /usr/include/stb). Native only — cli/ is not part of the engine library, so the web reference build
// and the in-browser student build carry no codec; the browser decodes images with its own decoder.
#pragma once

#include <string>
#include <vector>

#include "datasets.h"
#include "image_folder.h"

namespace tt::cli {

// The pixels of a PNG or JPEG file as stored (1 to 4 channels); an error names the file and stb's reason.
DecodedImage decode_image_file(const std::string& path);
// The same for bytes already in memory; `what` names them in errors.
DecodedImage decode_image_bytes(const uint8_t* bytes, size_t size, const std::string& what);

// Every regular file below root, as '/'-separated paths relative to it (any order). Root must be a folder.
std::vector<std::string> list_files(const std::string& root);

// root/<class>/*.png|jpg read, decoded and stacked (folder is filled with the classes and samples when not null).
ImageDataset read_image_folder(const std::string& root, const ImageFolderOptions& options,
                               ImageFolder* folder = nullptr);

}  // namespace tt::cli
