// Milestone-1 inference as a plain program, timed from inside: the same source is built natively (tt_infer_native)
// and by the student toolchain (@yowasp/clang, `program: true`), so both time exactly the engine's forward pass.
//   infer <architecture> <CxHxW> <weights.safetensors> <inputs.f32> <batch> [sample seconds]
// inputs.f32: batch x C*H*W little-endian floats. Prints one JSON line: the median seconds per forward pass over
// 7 samples (tt::time_forward, models/classifier.h), the predicted classes and the logits.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "classifier.h"
#include "error.h"
#include "safetensors.h"

namespace {

std::vector<float> read_floats(const std::string& path, size_t count) {
    std::ifstream in(path, std::ios::binary);
    TT_CHECK(in, path << ": cannot open");
    std::vector<float> out(count);
    in.read(reinterpret_cast<char*>(out.data()), std::streamsize(count * sizeof(float)));
    TT_CHECK(size_t(in.gcount()) == count * sizeof(float), path << ": expected " << count << " floats");
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 6) {
        std::fprintf(stderr,
                     "usage: infer <architecture> <CxHxW> <weights.safetensors> <inputs.f32> <batch> [seconds]\n");
        return 2;
    }
    int c = 0, h = 0, w = 0;
    TT_CHECK(std::sscanf(argv[2], "%dx%dx%d", &c, &h, &w) == 3, "input shape '" << argv[2] << "' is not CxHxW");
    const int batch = std::atoi(argv[5]);
    const double sample_seconds = argc > 6 ? std::atof(argv[6]) : 0.05;
    const tt::ClassifierShape shape = tt::check_architecture(argv[1], c, h, w);
    tt::Generator gen(0);  // the initial values are overwritten by the checkpoint
    auto net = tt::build_classifier(argv[1], gen);
    net->load_state_dict(tt::load_safetensors_file(argv[3]));
    net->eval();
    const tt::Tensor x({batch, c, h, w}, read_floats(argv[4], size_t(batch) * c * h * w));

    const double seconds = tt::time_forward(*net, x, sample_seconds);  // the reference page times the same way

    const std::vector<float> z = net->forward(x).contiguous().to_vector();
    std::printf("{\"batch\": %d, \"seconds\": %.9g, \"predictions\": [", batch, seconds);
    for (int b = 0; b < batch; b++) {
        const float* row = z.data() + size_t(b) * shape.classes;
        std::printf("%s%d", b ? ", " : "", int(std::max_element(row, row + shape.classes) - row));
    }
    std::printf("], \"logits\": [");
    for (size_t i = 0; i < z.size(); i++) std::printf("%s%.9g", i ? ", " : "", z[i]);
    std::printf("]}\n");
    return 0;
}
