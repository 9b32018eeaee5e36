#include "image_decode.h"

#include <climits>
#include <filesystem>
#include <memory>
#include <system_error>

#include "error.h"

// stb_image's implementation lives in this file only. PNG and JPEG are all ImageFolder reads.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_STDIO  // files are read by read_file_bytes, which names the file when it cannot
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif
#include <stb/stb_image.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace tt::cli {

DecodedImage decode_image_bytes(const uint8_t* bytes, size_t size, const std::string& what) {
    TT_CHECK(size > 0 && size <= size_t(INT_MAX), what << ": cannot decode " << size << " bytes as an image");
    int width = 0, height = 0, channels = 0;
    std::unique_ptr<stbi_uc, void (*)(void*)> pixels(stbi_load_from_memory(bytes, int(size), &width, &height, &channels,
                                                                           0),
                                                     stbi_image_free);
    TT_CHECK(pixels != nullptr, what << ": not a decodable PNG or JPEG image (" << stbi_failure_reason() << ")");
    DecodedImage image;
    image.width = width;
    image.height = height;
    image.channels = channels;
    image.pixels.assign(pixels.get(), pixels.get() + size_t(width) * size_t(height) * size_t(channels));
    return image;
}

DecodedImage decode_image_file(const std::string& path) {
    const std::vector<uint8_t> bytes = read_file_bytes(path);
    return decode_image_bytes(bytes.data(), bytes.size(), path);
}

std::vector<std::string> list_files(const std::string& root) {
    namespace fs = std::filesystem;
    std::error_code ec;
    TT_CHECK(fs::is_directory(root, ec), "ImageFolder: '" << root << "' is not a folder");
    std::vector<std::string> files;
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::follow_directory_symlink, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec)) files.push_back(fs::relative(it->path(), root).generic_string());
    TT_CHECK(!ec, "ImageFolder: cannot list '" << root << "': " << ec.message());
    return files;
}

ImageDataset read_image_folder(const std::string& root, const ImageFolderOptions& options, ImageFolder* folder) {
    const ImageFolder index = index_image_folder(root, list_files(root));
    const std::string base = std::filesystem::path(root).generic_string();
    ImageDataset data = load_image_folder(
        index, [&](const std::string& relative) { return decode_image_file(base + "/" + relative); }, options);
    if (folder) *folder = index;
    return data;
}

}  // namespace tt::cli
