// Milestone 1 — one-line architectures to nn::Sequential (see classifier.h).
#include "classifier.h"

#include <algorithm>
#include <sstream>

#include "activation_layers.h"
#include "batchnorm2d.h"
#include "checked.h"
#include "conv_layers.h"
#include "dropout_layers.h"
#include "error.h"
#include "linear.h"
#include "pool_layers.h"
#include "profile.h"

namespace tt {

namespace {
constexpr int64_t kMaxClassifierParameters = int64_t(1) << 26;  // 256 MiB of floats: 20x the largest course model
}  // namespace

std::vector<LayerSpec> parse_architecture(const std::string& text) {
    std::vector<LayerSpec> layers;
    int64_t weights = 0;  // parameters and BatchNorm's running statistics, so far
    std::istringstream words(text);
    std::string word;
    while (words >> word) {
        std::vector<std::string> f;
        std::istringstream parts(word);
        for (std::string p; std::getline(parts, p, ':');) f.push_back(p);
        auto num = [&](size_t i) {
            TT_CHECK(i < f.size() && !f[i].empty() && f[i].size() < 9 &&
                         f[i].find_first_not_of("0123456789") == std::string::npos,
                     "architecture: '" << word << "' needs a non-negative integer in field " << i);
            return std::stoi(f[i]);
        };
        auto probability = [&](size_t i) {  // "0.25": digits and one point, in [0, 1)
            const bool ok = i < f.size() && !f[i].empty() && f[i].size() < 9 &&
                f[i].find_first_not_of("0123456789.") == std::string::npos && f[i].find('.') == f[i].rfind('.') &&
                std::stod("0" + f[i]) < 1.0;
            TT_CHECK(ok, "architecture: '" << word << "' needs a probability in [0, 1) in field " << i);
            return std::stof("0" + f[i]);
        };
        LayerSpec s;
        size_t fields = 1;
        if (f[0] == "linear") s.kind = LayerSpec::Linear, s.in = num(1), s.out = num(2), fields = 3;
        else if (f[0] == "conv")
            s.kind = LayerSpec::Conv2d, s.in = num(1), s.out = num(2), s.kernel = num(3), s.padding = num(4),
            fields = 5;
        else if (f[0] == "maxpool") s.kind = LayerSpec::MaxPool2d, s.kernel = num(1), fields = 2;
        else if (f[0] == "avgpool") s.kind = LayerSpec::AvgPool2d, s.kernel = num(1), fields = 2;
        else if (f[0] == "bn") s.kind = LayerSpec::BatchNorm2d, s.in = s.out = num(1), fields = 2;
        else if (f[0] == "dropout") s.kind = LayerSpec::Dropout, s.p = probability(1), s.text = f[1], fields = 2;
        else if (f[0] == "relu") s.kind = LayerSpec::ReLU;
        else if (f[0] == "tanh") s.kind = LayerSpec::Tanh;
        else if (f[0] == "flatten") s.kind = LayerSpec::Flatten;
        else
            TT_CHECK(false,
                     "architecture: unknown layer '"
                         << word << "' (linear, conv, maxpool, avgpool, bn, dropout, relu, tanh, flatten)");
        TT_CHECK(f.size() == fields,
                 "architecture: '" << word << "' has " << f.size() - 1 << " fields, expected " << fields - 1);
        const bool sized =
            s.kind == LayerSpec::Linear || s.kind == LayerSpec::Conv2d || s.kind == LayerSpec::BatchNorm2d;
        TT_CHECK(!sized || (s.in > 0 && s.out > 0), "architecture: '" << word << "' needs sizes of at least 1");
        const bool windowed =
            s.kind == LayerSpec::Conv2d || s.kind == LayerSpec::MaxPool2d || s.kind == LayerSpec::AvgPool2d;
        TT_CHECK(!windowed || s.kernel > 0, "architecture: '" << word << "' needs a kernel >= 1");
        // The text may come with an upload: its parameter count is bounded before anything is allocated.
        const std::string field = "architecture: parameters of '" + word + "'";
        const int64_t in = s.in, out = s.out, k = s.kernel;
        if (s.kind == LayerSpec::Linear) weights = checked_add(weights, checked_mul(in + 1, out, field), field);
        if (s.kind == LayerSpec::Conv2d)
            weights = checked_add(weights, checked_mul(checked_mul(in, k * k, field) + 1, out, field), field);
        if (s.kind == LayerSpec::BatchNorm2d) weights = checked_add(weights, 4 * in, field);
        TT_CHECK(weights <= kMaxClassifierParameters,
                 "architecture: the layers up to '" << word << "' hold " << weights << " parameters, more than the "
                                                    << kMaxClassifierParameters << " a model may have");
        layers.push_back(s);
    }
    TT_CHECK(!layers.empty(), "architecture: empty description");
    return layers;
}

std::string format_architecture(const std::vector<LayerSpec>& layers) {
    std::ostringstream os;
    for (size_t i = 0; i < layers.size(); i++) {
        const LayerSpec& s = layers[i];
        if (i) os << ' ';
        switch (s.kind) {
            case LayerSpec::Linear: os << "linear:" << s.in << ':' << s.out; break;
            case LayerSpec::Conv2d: os << "conv:" << s.in << ':' << s.out << ':' << s.kernel << ':' << s.padding; break;
            case LayerSpec::MaxPool2d: os << "maxpool:" << s.kernel; break;
            case LayerSpec::AvgPool2d: os << "avgpool:" << s.kernel; break;
            case LayerSpec::BatchNorm2d: os << "bn:" << s.in; break;
            case LayerSpec::Dropout: os << "dropout:" << s.text; break;
            case LayerSpec::ReLU: os << "relu"; break;
            case LayerSpec::Tanh: os << "tanh"; break;
            case LayerSpec::Flatten: os << "flatten"; break;
        }
    }
    return os.str();
}

ClassifierShape check_architecture(const std::string& text, int channels, int height, int width) {
    const std::vector<LayerSpec> layers = parse_architecture(text);
    TT_CHECK(channels > 0 && height > 0 && width > 0,
             "architecture: input " << channels << "x" << height << "x" << width << " must have positive sizes");
    int64_t c = channels, h = height, w = width;  // 64 bits: a pasted text can grow them past an int
    bool flat = false;                            // after flatten/linear the example is a vector of c features
    for (size_t i = 0; i < layers.size(); i++) {
        const LayerSpec& s = layers[i];
        switch (s.kind) {
            case LayerSpec::Linear:
                TT_CHECK(flat && c == s.in,
                         "architecture: layer "
                             << i << " (linear:" << s.in << ":" << s.out << ") receives "
                             << (flat ? std::to_string(c) + " features" : "an image; flatten first"));
                c = s.out;
                break;
            case LayerSpec::Conv2d:
                TT_CHECK(!flat && c == s.in,
                         "architecture: layer " << i << " (conv) expects " << s.in << " channels, receives "
                                                << (flat ? 0 : c));
                h += 2 * s.padding - s.kernel + 1, w += 2 * s.padding - s.kernel + 1, c = s.out;
                TT_CHECK(h > 0 && w > 0, "architecture: layer " << i << " (conv) kernel is larger than its input");
                break;
            case LayerSpec::MaxPool2d:
            case LayerSpec::AvgPool2d:
                TT_CHECK(!flat && s.kernel > 0 && h >= s.kernel && w >= s.kernel,
                         "architecture: layer " << i << " (" << (s.kind == LayerSpec::MaxPool2d ? "max" : "avg")
                                                << "pool:" << s.kernel << ") does not fit " << h << "x" << w);
                h /= s.kernel, w /= s.kernel;
                break;
            case LayerSpec::BatchNorm2d:
                TT_CHECK(!flat && c == s.in,
                         "architecture: layer " << i << " (bn) expects " << s.in << " channels, receives "
                                                << (flat ? 0 : c));
                break;
            case LayerSpec::Flatten:
                c = flat ? c : checked_mul(checked_mul(c, h, "architecture: flatten"), w, "architecture: flatten");
                flat = true;
                break;
            default: break;  // elementwise: same shape
        }
    }
    TT_CHECK(flat, "architecture: the last layer must give a vector of class scores (end with flatten/linear)");
    return {channels, height, width, checked_int(c, 1, 1 << 24, "architecture: the number of class scores")};
}

std::shared_ptr<nn::Sequential> build_classifier(const std::string& text, Generator& gen) {
    auto net = std::make_shared<nn::Sequential>();
    for (const LayerSpec& s : parse_architecture(text)) {
        switch (s.kind) {
            case LayerSpec::Linear: net->add(std::make_shared<nn::Linear>(s.in, s.out, true, gen)); break;
            case LayerSpec::Conv2d:
                net->add(std::make_shared<nn::Conv2d>(s.in, s.out, s.kernel, 1, s.padding, true, gen));
                break;
            case LayerSpec::MaxPool2d: net->add(std::make_shared<nn::MaxPool2d>(s.kernel)); break;
            case LayerSpec::AvgPool2d: net->add(std::make_shared<nn::AvgPool2d>(s.kernel)); break;
            case LayerSpec::BatchNorm2d: net->add(std::make_shared<nn::BatchNorm2d>(s.in)); break;
            // masks from the default generator, like torch's: gen is only borrowed for this call
            case LayerSpec::Dropout: net->add(std::make_shared<nn::Dropout>(s.p)); break;
            case LayerSpec::ReLU: net->add(std::make_shared<nn::ReLU>()); break;
            case LayerSpec::Tanh: net->add(std::make_shared<nn::Tanh>()); break;
            case LayerSpec::Flatten: net->add(std::make_shared<nn::Flatten>()); break;
        }
    }
    return net;
}

double time_forward(nn::Module& net, const Tensor& x, double sample_seconds) {
    TT_CHECK(sample_seconds > 0 && sample_seconds <= 10,
             "time_forward: sample_seconds = " << sample_seconds << " must be in (0, 10]");
    const auto forward = [&] { net.forward(x).contiguous(); };
    // How many passes fill one sample: measured on one pass after a warm-up (the timer's own warm-up follows).
    forward();
    const double one_ms = std::max(Timer(0, 1).measure(forward).median_ms, 1e-4);
    const int reps = std::max(1, int(sample_seconds * 1000 / one_ms));
    const Timing t = Timer(3, 7).measure([&] {
        for (int r = 0; r < reps; r++) forward();
    });
    return t.median_ms / 1000 / reps;
}

}  // namespace tt
