// Fuzz driver: the image-folder reader (data/image_folder.h) past the decoder: a listing of paths (the text after
// the first 0 byte, one per line) and a decoded image as a decoder could hand it over (width, height, channels and
// a resize size in the first 5 bytes, then the pixels).
#include <algorithm>
#include <cstring>

#include "fuzz_common.h"
#include "image_folder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 5) return 0;
    const uint8_t* end = data + size;
    const uint8_t* zero = std::find(data + 5, end, uint8_t(0));
    tt::DecodedImage image;
    image.width = data[0] % 64, image.height = data[1] % 64, image.channels = data[2] % 6;
    image.pixels.assign(data + 5, zero);
    const int channels = data[3] & 1 ? 3 : 1, resize = data[4] % 48;
    std::vector<uint8_t> chw;
    if (tt::fuzz::accepts([&] { chw = tt::image_to_chw(image, channels, resize, resize, "fuzz.png"); })) {
        const int64_t h = resize ? resize : image.height, w = resize ? resize : image.width;
        tt::fuzz::require(int64_t(chw.size()) == channels * h * w, "C x H x W bytes out");
    }
    std::vector<std::string> paths;
    for (const uint8_t* p = std::min(zero + 1, end); p < end;) {
        const uint8_t* nl = std::find(p, end, uint8_t('\n'));
        paths.emplace_back(reinterpret_cast<const char*>(p), size_t(nl - p));
        p = nl + (nl < end);
    }
    tt::ImageFolder folder;
    if (tt::fuzz::accepts([&] { folder = tt::index_image_folder("fuzz", paths); })) {
        tt::fuzz::require(folder.classes.size() >= 2 && !folder.samples.empty(), "two classes and some images");
        for (const auto& [path, label] : folder.samples)
            tt::fuzz::require(folder.class_to_idx(path.substr(0, path.find('/'))) == label, "label of its folder");
    }
    return 0;
}
