#include "image_folder.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <tuple>

#include "checked.h"
#include "error.h"

namespace tt {
namespace {

bool is_image_file(const std::string& path) {
    const size_t dot = path.rfind('.');
    if (dot == std::string::npos || path.find('/', dot) != std::string::npos) return false;
    std::string ext = path.substr(dot);
    for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

// One pixel's value in channel k of `to` channels, from a pixel of `from` channels (1 gray, 2 gray+alpha, 3 RGB,
// 4 RGBA). Alpha is dropped; gray from RGB is the integer luma of ITU-R BT.601 (what PIL's convert("L") computes).
uint8_t convert_pixel(const uint8_t* px, int from, int to, int k) {
    if (to == 1 && from >= 3) return static_cast<uint8_t>((299 * px[0] + 587 * px[1] + 114 * px[2] + 500) / 1000);
    if (from <= 2) return px[0];
    return px[k];
}

}  // namespace

int ImageFolder::class_to_idx(const std::string& name) const {
    const auto it = std::lower_bound(classes.begin(), classes.end(), name);
    TT_CHECK(it != classes.end() && *it == name, "ImageFolder '" << root << "': no class named '" << name << "'");
    return static_cast<int>(it - classes.begin());
}

ImageFolder index_image_folder(const std::string& root, std::vector<std::string> relative_paths) {
    // (class, folder inside the class, file name): torchvision walks the folders in sorted order and sorts the
    // files of each, so "cat/x.png" comes before "cat/sub/a.png".
    std::vector<std::tuple<std::string, std::string, std::string>> found;
    std::string at_root;  // an image directly in the root: skipped, but named if nothing else is found
    for (const std::string& path : relative_paths) {
        const size_t first = path.find('/'), last = path.rfind('/');
        if (first == std::string::npos && at_root.empty() && is_image_file(path)) at_root = path;
        if (first == std::string::npos || first == 0 || !is_image_file(path)) continue;
        found.emplace_back(path.substr(0, first), path.substr(first, last - first), path.substr(last + 1));
    }
    TT_CHECK(!found.empty(),
             "ImageFolder '" << root << "': found no .png, .jpg or .jpeg images in class folders "
                             << "(expected " << root << "/<class>/<image>)"
                             << (at_root.empty() ? ""
                                                 : "; images such as '" + at_root +
                                         "' are directly in the folder: put each class's images in a folder "
                                         "named after the class"));
    std::sort(found.begin(), found.end());
    ImageFolder folder;
    folder.root = root;
    for (const auto& f : found)
        if (folder.classes.empty() || folder.classes.back() != std::get<0>(f)) folder.classes.push_back(std::get<0>(f));
    TT_CHECK(folder.classes.size() >= 2,
             "ImageFolder '" << root << "': only one class folder ('" << folder.classes[0]
                             << "'); a classifier needs at least two classes");
    TT_CHECK(folder.classes.size() <= 256,
             "ImageFolder '" << root << "': " << folder.classes.size()
                             << " class folders; at most 256 fit the byte labels");
    int label = -1;
    std::string current;
    for (const auto& [cls, dir, file] : found) {
        if (label < 0 || cls != current) {
            label++;
            current = cls;
        }
        folder.samples.emplace_back(cls + dir + "/" + file, label);
    }
    return folder;
}

std::vector<uint8_t> image_to_chw(const DecodedImage& image, int channels, int height, int width,
                                  const std::string& what) {
    TT_CHECK(channels == 1 || channels == 3, "image_to_chw: channels must be 1 or 3, got " << channels);
    TT_CHECK(image.width > 0 && image.height > 0 && image.channels >= 1 && image.channels <= 4,
             what << ": decoded to a " << image.width << "x" << image.height << " image with " << image.channels
                  << " channels");
    const int64_t W = image.width, H = image.height, from = image.channels;
    // A decoder's claimed size is checked against the bytes it gave (overflow-checked) before anything is read.
    const int64_t claimed = checked_mul(checked_mul(W, H, what + ": width x height"), from, what + ": pixel bytes");
    TT_CHECK(int64_t(image.pixels.size()) == claimed,
             what << ": " << image.pixels.size() << " pixel bytes for a " << W << "x" << H << "x" << from << " image");
    const int64_t OH = height > 0 ? height : H, OW = width > 0 ? width : W;
    checked_mul(checked_mul(channels, OH, what + ": resized size"), OW, what + ": resized size");
    // Planar C x H x W at the decoded size first.
    std::vector<uint8_t> planes(size_t(channels * H * W));
    for (int64_t p = 0; p < H * W; p++)
        for (int k = 0; k < channels; k++)
            planes[size_t(k * H * W + p)] = convert_pixel(&image.pixels[size_t(p * from)], int(from), channels, k);
    if (OH == H && OW == W) return planes;
    // Bilinear: output pixel (y, x) samples the input at ((y + 0.5) * H / OH - 0.5, ...), clamped to the edges.
    std::vector<uint8_t> out(size_t(channels * OH * OW));
    for (int64_t y = 0; y < OH; y++) {
        const double sy = std::max(0.0, (y + 0.5) * double(H) / double(OH) - 0.5);
        const int64_t y0 = std::min<int64_t>(int64_t(sy), H - 1), y1 = std::min<int64_t>(y0 + 1, H - 1);
        const double fy = sy - double(y0);
        for (int64_t x = 0; x < OW; x++) {
            const double sx = std::max(0.0, (x + 0.5) * double(W) / double(OW) - 0.5);
            const int64_t x0 = std::min<int64_t>(int64_t(sx), W - 1), x1 = std::min<int64_t>(x0 + 1, W - 1);
            const double fx = sx - double(x0);
            for (int k = 0; k < channels; k++) {
                const uint8_t* p = &planes[size_t(k * H * W)];
                const double v = (1 - fy) * ((1 - fx) * p[y0 * W + x0] + fx * p[y0 * W + x1]) +
                    fy * ((1 - fx) * p[y1 * W + x0] + fx * p[y1 * W + x1]);
                out[size_t((k * OH + y) * OW + x)] = static_cast<uint8_t>(std::min(255.0, std::floor(v + 0.5)));
            }
        }
    }
    return out;
}

ImageDataset load_image_folder(const ImageFolder& folder, const ImageLoader& load, const ImageFolderOptions& options) {
    TT_CHECK(options.channels == 1 || options.channels == 3,
             "ImageFolder: channels must be 1 (gray) or 3 (RGB), got " << options.channels);
    TT_CHECK((options.resize_height > 0) == (options.resize_width > 0) && options.resize_height >= 0 &&
                 options.resize_width >= 0,
             "ImageFolder: resize needs a positive height and width (or both 0 for no resize), got "
                 << options.resize_height << "x" << options.resize_width);
    TT_CHECK(load != nullptr, "ImageFolder: no image loader given");
    TT_CHECK(!folder.samples.empty(), "ImageFolder '" << folder.root << "': no samples");
    ImageDataset data;
    data.channels = options.channels;
    data.height = options.resize_height;
    data.width = options.resize_width;
    data.num_classes = int(folder.classes.size());
    std::string first;  // the image whose size every other one must have (no resize)
    for (const auto& [path, label] : folder.samples) {
        const std::string what = "ImageFolder '" + folder.root + "': " + path;
        const DecodedImage image = load(path);
        if (data.height == 0) {
            data.height = image.height;
            data.width = image.width;
            first = path;
        }
        TT_CHECK(options.resize_height > 0 || (image.height == data.height && image.width == data.width),
                 what << " is " << image.width << "x" << image.height << " but " << first << " is " << data.width << "x"
                      << data.height << " (width x height); images of mixed sizes need a resize size");
        const std::vector<uint8_t> chw =
            image_to_chw(image, options.channels, options.resize_height, options.resize_width, what);
        data.pixels.insert(data.pixels.end(), chw.begin(), chw.end());
        data.labels.push_back(static_cast<uint8_t>(label));
        data.count++;
    }
    data.validate("ImageFolder '" + folder.root + "'");
    return data;
}

}  // namespace tt
