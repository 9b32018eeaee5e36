// Module 16 — Quantization: save_classifier / load_classifier (the format is described in quantized_io.h).
#include "quantized_io.h"

#include <cmath>
#include <cstring>
#include <map>

#include "classifier.h"
#include "error.h"
#include "json.h"
#include "quantized.h"
#include "random.h"
#include "safetensors.h"

namespace tt {

namespace {

template <class T>
RawTensor raw(const char* dtype, Shape shape, const std::vector<T>& values) {
    RawTensor r{dtype, std::move(shape), std::vector<uint8_t>(values.size() * sizeof(T))};
    if (!values.empty()) std::memcpy(r.data.data(), values.data(), r.data.size());
    return r;
}

void put_input(RawStateDict& out, const std::string& prefix, const nn::QuantizedModule& q, Json& entry) {
    entry.set("input", q.input.is_static ? "static" : "dynamic");
    if (q.input.qparams.quant_max == 127) entry.set("input_bits", 7);  // reduce_range; absent: 8
    if (!q.input.is_static) return;
    out[prefix + "input_scale"] = raw("F32", Shape{}, std::vector<float>{q.input.qparams.scale});
    out[prefix + "input_zero_point"] =
        raw("U8", Shape{}, std::vector<uint8_t>{static_cast<uint8_t>(q.input.qparams.zero_point)});
}

// Takes the tensors of a file one name at a time, checking dtype and shape, and knows which were not taken.
class Reader {
public:
    Reader(RawStateDict tensors, std::string source) : tensors_(std::move(tensors)), source_(std::move(source)) {}

    template <class T>
    std::vector<T> take(const std::string& name, const std::string& dtype, const Shape& shape,
                        const std::string& what) {
        const auto it = tensors_.find(name);
        TT_CHECK(it != tensors_.end(),
                 "load_classifier: " << source_ << ": tensor '" << name << "' is missing; expected " << dtype << " "
                                     << shape << " (" << what << ")");
        const RawTensor& r = it->second;
        TT_CHECK(r.dtype == dtype,
                 "load_classifier: " << source_ << ": tensor '" << name << "' has dtype " << r.dtype << ", expected "
                                     << dtype << " (" << what << ")");
        TT_CHECK(r.shape == shape,
                 "load_classifier: " << source_ << ": tensor '" << name << "' has shape " << r.shape << ", expected "
                                     << shape << " (" << what << ")");
        std::vector<T> values(r.data.size() / sizeof(T));
        if (!values.empty()) std::memcpy(values.data(), r.data.data(), r.data.size());
        tensors_.erase(it);
        return values;
    }
    bool has(const std::string& name) const { return tensors_.count(name) != 0; }
    std::vector<float> scales(const std::string& name, const Shape& shape, const std::string& what) {
        std::vector<float> s = take<float>(name, "F32", shape, what);
        for (size_t i = 0; i < s.size(); ++i)
            TT_CHECK(std::isfinite(s[i]) && s[i] > 0,
                     "load_classifier: " << source_ << ": tensor '" << name << "' holds " << s[i] << " at index " << i
                                         << "; a scale must be finite and > 0");
        return s;
    }
    // What is left: the float tensors, for load_state_dict.
    StateDict rest() const {
        StateDict out;
        for (const auto& kv : tensors_) {
            TT_CHECK(kv.second.dtype == "F32",
                     "load_classifier: " << source_ << ": tensor '" << kv.first << "' has dtype " << kv.second.dtype
                                         << ", expected F32 (a float layer's tensor)");
            out[kv.first] = from_raw(kv.second, kv.first);
        }
        return out;
    }

private:
    RawStateDict tensors_;
    std::string source_;
};

int json_int(const Json& entry, const char* key, const std::string& where) {
    const Json* v = entry.find(key);
    TT_CHECK(v && v->is_number() && v->as_number() == std::floor(v->as_number()),
             where << ": '" << key << "' must be an integer");
    return static_cast<int>(v->as_number());
}

}  // namespace

std::vector<uint8_t> save_classifier(nn::Sequential& net, const std::string& arch) {
    TT_CHECK(parse_architecture(arch).size() == net.size(),
             "save_classifier: the architecture has " << parse_architecture(arch).size() << " layers, the net "
                                                      << net.size());
    RawStateDict out;
    for (const auto& kv : net.state_dict()) out[kv.first] = to_raw(kv.second);  // the float layers
    Json quant = Json::object();
    for (size_t i = 0; i < net.size(); ++i) {
        const std::string p = std::to_string(i) + ".";
        Json entry = Json::object();
        if (auto* l = dynamic_cast<nn::QuantizedLinear*>(&net[i])) {
            const bool pc = int64_t(l->weight_scale.size()) == l->out_features && l->out_features > 1;
            out[p + "weight"] = raw("I8", Shape{l->out_features, l->in_features}, l->weight);
            out[p + "weight_scale"] = raw("F32", Shape{int64_t(l->weight_scale.size())}, l->weight_scale);
            if (!l->bias.empty()) out[p + "bias"] = raw("F32", Shape{l->out_features}, l->bias);
            entry.set("bits", 8).set("scheme", "symmetric").set("axis", pc ? 0 : -1).set("group", 0);
            put_input(out, p, *l, entry);
        } else if (auto* c = dynamic_cast<nn::QuantizedConv2d*>(&net[i])) {
            const bool pc = int64_t(c->weight_scale.size()) == c->out_channels && c->out_channels > 1;
            out[p + "weight"] =
                raw("I8", Shape{c->out_channels, c->in_channels, c->kernel_size, c->kernel_size}, c->weight);
            out[p + "weight_scale"] = raw("F32", Shape{int64_t(c->weight_scale.size())}, c->weight_scale);
            if (!c->bias.empty()) out[p + "bias"] = raw("F32", Shape{c->out_channels}, c->bias);
            entry.set("bits", 8).set("scheme", "symmetric").set("axis", pc ? 0 : -1).set("group", 0);
            put_input(out, p, *c, entry);
        } else if (auto* f = dynamic_cast<nn::Int4Linear*>(&net[i])) {
            out[p + "weight"] = raw("U8", Shape{f->out_features, int4_row_bytes(int(f->in_features))}, f->packed);
            out[p + "weight_scale"] =
                raw("F32", Shape{f->out_features, int4_groups(int(f->in_features), f->group)}, f->scales);
            if (!f->bias.empty()) out[p + "bias"] = raw("F32", Shape{f->out_features}, f->bias);
            entry.set("bits", 4).set("scheme", "symmetric").set("axis", 0).set("group", f->group);
            entry.set("input", "float");
        } else {
            continue;
        }
        quant.set(std::to_string(i), entry);
    }
    std::map<std::string, std::string> meta = {{"tt.arch", arch}};
    if (!quant.members().empty()) meta["tt.quant"] = quant.dump();
    return save_safetensors_raw(out, meta);
}

std::shared_ptr<nn::Sequential> load_classifier(const uint8_t* bytes, size_t size, const std::string& source,
                                                const std::string& arch_fallback) {
    const auto meta = load_safetensors_metadata(bytes, size, source);
    const auto arch_it = meta.find("tt.arch");
    const std::string arch = arch_it != meta.end() ? arch_it->second : arch_fallback;
    TT_CHECK(!arch.empty(),
             "load_classifier: " << source
                                 << " has no tt.arch metadata (the one-line architecture, e.g. "
                                    "\"flatten linear:784:128 relu linear:128:10\")");
    const std::vector<LayerSpec> specs = parse_architecture(arch);
    Reader reader(load_safetensors_raw(bytes, size, source), source);
    Generator gen(0);  // every float value is overwritten by the file
    std::shared_ptr<nn::Sequential> net = build_classifier(arch, gen);

    const auto quant_it = meta.find("tt.quant");
    if (quant_it != meta.end()) {
        const Json quant = parse_json(quant_it->second, "load_classifier: " + source + ": tt.quant");
        TT_CHECK(quant.is_object(), "load_classifier: " << source << ": tt.quant is not a JSON object");
        for (const auto& member : quant.members()) {
            const std::string& key = member.first;
            const Json& e = member.second;
            const std::string where = "load_classifier: " + source + ": tt.quant '" + key + "'";
            TT_CHECK(!key.empty() && key.size() < 6 && key.find_first_not_of("0123456789") == std::string::npos &&
                         std::stoul(key) < specs.size(),
                     where << " is not a layer index (0.." << specs.size() - 1 << ")");
            const size_t i = std::stoul(key);
            const LayerSpec& s = specs[i];
            TT_CHECK(e.is_object(), where << " is not an object");
            const int bits = json_int(e, "bits", where), axis = json_int(e, "axis", where);
            const int group = json_int(e, "group", where);
            const Json* scheme = e.find("scheme");
            TT_CHECK(scheme && scheme->is_string() && scheme->as_string() == "symmetric",
                     where << ": scheme must be \"symmetric\" (weights have no zero point)");
            const std::string p = key + ".", layer = "layer " + key + ", " + format_architecture({s});
            std::shared_ptr<nn::QuantizedModule> q;
            if (bits == 8 && (s.kind == LayerSpec::Linear || s.kind == LayerSpec::Conv2d)) {
                TT_CHECK(axis == 0 || axis == -1, where << ": axis must be 0 (per channel) or -1 (per tensor)");
                const int64_t rows = s.out,
                              cols = s.kind == LayerSpec::Linear ? s.in : int64_t(s.in) * s.kernel * s.kernel;
                const Shape wshape =
                    s.kind == LayerSpec::Linear ? Shape{rows, cols} : Shape{rows, s.in, s.kernel, s.kernel};
                auto w = reader.take<int8_t>(p + "weight", "I8", wshape, "int8 weights of " + layer);
                auto ws = reader.scales(p + "weight_scale", Shape{axis == 0 ? rows : 1}, "weight scales of " + layer);
                auto b = reader.take<float>(p + "bias", "F32", Shape{rows}, "bias of " + layer);
                if (s.kind == LayerSpec::Linear)
                    q = std::make_shared<nn::QuantizedLinear>(s.in, s.out, std::move(w), std::move(ws), std::move(b));
                else
                    q = std::make_shared<nn::QuantizedConv2d>(s.in, s.out, s.kernel, 1, s.padding, 1, std::move(w),
                                                              std::move(ws), std::move(b));
                const Json* input = e.find("input");
                TT_CHECK(input && input->is_string() &&
                             (input->as_string() == "static" || input->as_string() == "dynamic"),
                         where << ": input must be \"static\" or \"dynamic\"");
                const int input_bits = e.find("input_bits") ? json_int(e, "input_bits", where) : 8;
                TT_CHECK(input_bits == 7 || input_bits == 8,
                         where << ": input_bits must be 8 (uint8 inputs) or 7 (reduce_range), got " << input_bits);
                const int32_t quant_max = input_bits == 7 ? 127 : 255;
                if (input->as_string() == "static") {
                    const float xs = reader.scales(p + "input_scale", Shape{}, "input scale of " + layer)[0];
                    const uint8_t xz =
                        reader.take<uint8_t>(p + "input_zero_point", "U8", Shape{}, "input zero point of " + layer)[0];
                    TT_CHECK(xz <= quant_max,
                             where << ": input zero point " << int(xz) << " is above " << quant_max << " ("
                                   << input_bits << "-bit inputs)");
                    q->input = {true, {xs, xz, quant_max}};
                } else {
                    q->input.qparams.quant_max = quant_max;
                }
            } else if (bits == 4 && s.kind == LayerSpec::Linear) {
                TT_CHECK(axis == 0 && group > 0 && group <= 4096,
                         where << ": int4 needs axis 0 and a group in [1, 4096], got axis " << axis << ", group "
                               << group);
                auto w = reader.take<uint8_t>(p + "weight", "U8", Shape{s.out, int4_row_bytes(s.in)},
                                              "int4 weights of " + layer + ", two per byte");
                auto ws = reader.scales(p + "weight_scale", Shape{s.out, int4_groups(s.in, group)},
                                        "group scales of " + layer);
                auto b = reader.take<float>(p + "bias", "F32", Shape{s.out}, "bias of " + layer);
                q = std::make_shared<nn::Int4Linear>(s.in, s.out, group, std::move(w), std::move(ws), std::move(b));
            } else {
                TT_CHECK(false,
                         where << ": " << bits << "-bit " << format_architecture({s})
                               << " is not supported (int8 linear/conv, int4 linear)");
            }
            net->set(i, q);
        }
    }
    // The float layers: every remaining tensor must be one of theirs, and each of theirs must be there.
    const StateDict rest = reader.rest();
    const StateDict expected = net->state_dict();
    for (const auto& kv : expected)
        TT_CHECK(rest.count(kv.first),
                 "load_classifier: " << source << ": tensor '" << kv.first << "' is missing; expected F32 "
                                     << kv.second.shape() << " (a float layer of " << arch << ")");
    for (const auto& kv : rest) {
        const auto it = expected.find(kv.first);
        TT_CHECK(it != expected.end(),
                 "load_classifier: " << source << ": unexpected tensor '" << kv.first << "' (not a parameter of "
                                     << arch << ")");
        TT_CHECK(kv.second.shape() == it->second.shape(),
                 "load_classifier: " << source << ": tensor '" << kv.first << "' has shape " << kv.second.shape()
                                     << ", expected " << it->second.shape());
    }
    net->load_state_dict(rest);
    net->eval();
    return net;
}

std::shared_ptr<nn::Sequential> load_classifier(const std::vector<uint8_t>& bytes, const std::string& source,
                                                const std::string& arch) {
    return load_classifier(bytes.data(), bytes.size(), source, arch);
}

}  // namespace tt
