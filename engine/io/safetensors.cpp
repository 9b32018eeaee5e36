#include "safetensors.h"

#include <cstring>
#include <fstream>
#include <iterator>

#include "error.h"
#include "json.h"

namespace tt {

namespace {

int64_t as_size(const Json& v, const std::string& what, const std::string& source) {
    const double n = v.is_number() ? v.as_number() : -1.0;
    TT_CHECK(n >= 0 && n < 9007199254740992.0 && n == static_cast<double>(static_cast<int64_t>(n)),
             "safetensors: bad header in " << source << ": " << what << " must be a non-negative integer");
    return static_cast<int64_t>(n);
}

// The JSON header of a safetensors file (its length checked against the size).
Json read_header(const uint8_t* bytes, size_t size, const std::string& source, uint64_t& n) {
    TT_CHECK(size >= 8,
             "safetensors: " << source << " is truncated: " << size << " bytes, not even the 8-byte header length");
    n = 0;
    for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(bytes[i]) << (8 * i);
    TT_CHECK(n <= size - 8,
             "safetensors: " << source << " is truncated or not safetensors: the header claims " << n
                             << " bytes but only " << size - 8 << " follow");
    const Json root = parse_json(std::string(reinterpret_cast<const char*>(bytes + 8), static_cast<size_t>(n)),
                                 "safetensors: bad header in " + source);
    TT_CHECK(root.is_object(), "safetensors: bad header in " << source << ": not a JSON object");
    return root;
}

bool dtype_size_known(const std::string& dtype) {
    for (const char* d : {"F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL"})
        if (dtype == d) return true;
    return false;
}

}  // namespace

int dtype_size(const std::string& dtype) {
    static const std::map<std::string, int> sizes = {{"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8},
                                                     {"I32", 4}, {"I16", 2}, {"I8", 1},  {"U8", 1},   {"BOOL", 1}};
    const auto it = sizes.find(dtype);
    TT_CHECK(it != sizes.end(),
             "safetensors: unknown dtype '" << dtype << "' (F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
    return it->second;
}

RawTensor to_raw(const Tensor& t) {
    RawTensor r{"F32", t.shape(), std::vector<uint8_t>(static_cast<size_t>(t.nbytes()))};
    Tensor c = t.contiguous();
    if (!r.data.empty()) std::memcpy(r.data.data(), c.data(), r.data.size());
    return r;
}

Tensor from_raw(const RawTensor& r, const std::string& name) {
    TT_CHECK(r.dtype == "F32", "safetensors: tensor '" << name << "' has dtype " << r.dtype << ", expected F32");
    Tensor t(r.shape);
    TT_CHECK(static_cast<int64_t>(r.data.size()) == t.nbytes(),
             "safetensors: tensor '" << name << "' has " << r.data.size() << " bytes for shape " << r.shape);
    if (!r.data.empty()) std::memcpy(t.data(), r.data.data(), r.data.size());
    return t;
}

std::vector<uint8_t> save_safetensors_raw(const RawStateDict& state,
                                          const std::map<std::string, std::string>& metadata) {
    Json header = Json::object();
    if (!metadata.empty()) {
        Json meta = Json::object();
        for (const auto& [key, value] : metadata) meta.set(key, value);
        header.set("__metadata__", meta);
    }
    int64_t offset = 0;
    for (const auto& [name, t] : state) {  // std::map: sorted by name, like the reference implementation
        const int64_t bytes = numel(t.shape) * dtype_size(t.dtype);
        TT_CHECK(bytes == static_cast<int64_t>(t.data.size()),
                 "save_safetensors: '" << name << "' (" << t.dtype << " " << t.shape << ") needs " << bytes
                                       << " bytes, has " << t.data.size());
        Json shape = Json::array();
        for (int64_t d : t.shape) shape.push_back(d);
        Json entry = Json::object();
        entry.set("dtype", t.dtype).set("shape", shape).set("data_offsets", Json::array({offset, offset + bytes}));
        header.set(name, entry);
        offset += bytes;
    }
    std::string h = header.dump();
    h.append((8 - h.size() % 8) % 8, ' ');  // pad so the data starts 8-byte aligned
    std::vector<uint8_t> out(8 + h.size() + static_cast<size_t>(offset));
    uint64_t n = h.size();
    for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(n >> (8 * i));
    std::memcpy(out.data() + 8, h.data(), h.size());
    uint8_t* data = out.data() + 8 + h.size();
    for (const auto& [name, t] : state) {
        if (!t.data.empty()) std::memcpy(data, t.data.data(), t.data.size());
        data += t.data.size();
    }
    return out;
}

std::vector<uint8_t> save_safetensors(const StateDict& state) { return save_safetensors(state, {}); }

std::vector<uint8_t> save_safetensors(const StateDict& state, const std::map<std::string, std::string>& metadata) {
    RawStateDict raw;
    for (const auto& [name, t] : state) {
        TT_CHECK(t.defined(), "save_safetensors: '" << name << "' is an undefined tensor");
        raw[name] = to_raw(t);
    }
    return save_safetensors_raw(raw, metadata);
}

std::map<std::string, std::string> load_safetensors_metadata(const uint8_t* bytes, size_t size,
                                                             const std::string& source) {
    uint64_t n = 0;
    const Json root = read_header(bytes, size, source, n);
    std::map<std::string, std::string> out;
    const Json* meta = root.find("__metadata__");
    if (!meta) return out;
    TT_CHECK(meta->is_object(), "safetensors: bad header in " << source << ": __metadata__ is not an object");
    for (const auto& [key, value] : meta->members()) {
        TT_CHECK(value.is_string(),
                 "safetensors: bad header in " << source << ": __metadata__ '" << key << "' is not a string");
        out[key] = value.as_string();
    }
    return out;
}

// Walks the header; `accept` may refuse a dtype before its size is checked (the F32 API's message).
template <class Accept>
static RawStateDict load_entries(const uint8_t* bytes, size_t size, const std::string& source, Accept accept) {
    uint64_t n = 0;
    const Json root = read_header(bytes, size, source, n);
    const uint8_t* data = bytes + 8 + n;
    const uint64_t data_size = size - 8 - n;
    RawStateDict out;
    for (const auto& [name, entry] : root.members()) {
        if (name == "__metadata__") continue;
        TT_CHECK(entry.is_object(), "safetensors: bad header in " << source << ": '" << name << "' is not an object");
        const Json* dtype = entry.find("dtype");
        const Json* shape = entry.find("shape");
        const Json* offsets = entry.find("data_offsets");
        TT_CHECK(dtype && dtype->is_string() && shape && shape->is_array() && offsets && offsets->is_array() &&
                     offsets->items().size() == 2,
                 "safetensors: bad header in " << source << ": '" << name
                                               << "' needs dtype, shape and data_offsets [begin, end]");
        accept(name, dtype->as_string());
        Shape s;
        for (const Json& d : shape->items()) s.push_back(as_size(d, "a size of '" + name + "'", source));
        int64_t begin = as_size(offsets->items()[0], "data_offsets of '" + name + "'", source);
        int64_t end = as_size(offsets->items()[1], "data_offsets of '" + name + "'", source);
        int64_t expected = numel(s) * static_cast<int64_t>(dtype_size(dtype->as_string()));
        TT_CHECK(end >= begin && end - begin == expected,
                 "safetensors: tensor '" << name << "' in " << source << " has shape " << s << " (" << expected
                                         << " bytes) but data_offsets [" << begin << ", " << end << "]");
        TT_CHECK(static_cast<uint64_t>(end) <= data_size,
                 "safetensors: " << source << " is truncated: tensor '" << name << "' ends at byte " << end
                                 << " of the data, but only " << data_size << " bytes follow the header");
        out[name] = RawTensor{dtype->as_string(), s, std::vector<uint8_t>(data + begin, data + end)};
    }
    return out;
}

RawStateDict load_safetensors_raw(const uint8_t* bytes, size_t size, const std::string& source) {
    return load_entries(bytes, size, source, [&](const std::string& name, const std::string& dtype) {
        TT_CHECK(dtype_size_known(dtype),
                 "safetensors: tensor '" << name << "' in " << source << " has dtype " << dtype
                                         << ", which is not a safetensors dtype");
    });
}

StateDict load_safetensors(const uint8_t* bytes, size_t size, const std::string& source) {
    const RawStateDict raw = load_entries(bytes, size, source, [&](const std::string& name, const std::string& dtype) {
        TT_CHECK(dtype == "F32",
                 "safetensors: tensor '" << name << "' in " << source << " has dtype " << dtype
                                         << "; only F32 is supported");
    });
    StateDict out;
    for (const auto& [name, r] : raw) out[name] = from_raw(r, name);
    return out;
}

StateDict load_safetensors(const std::vector<uint8_t>& bytes, const std::string& source) {
    return load_safetensors(bytes.data(), bytes.size(), source);
}

void save_safetensors_file(const StateDict& state, const std::string& path) {
    std::vector<uint8_t> bytes = save_safetensors(state);
    std::ofstream out(path, std::ios::binary);
    TT_CHECK(out, "save_safetensors_file: cannot open '" << path << "' for writing");
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    TT_CHECK(out, "save_safetensors_file: writing '" << path << "' failed");
}

StateDict load_safetensors_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    TT_CHECK(in, "load_safetensors_file: cannot open '" << path << "'");
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return load_safetensors(bytes, path);
}

}  // namespace tt
