#include "safetensors.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

#include "checked.h"
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

}  // namespace

std::vector<uint8_t> save_safetensors(const StateDict& state) { return save_safetensors(state, {}); }

std::vector<uint8_t> save_safetensors(const StateDict& state, const std::map<std::string, std::string>& metadata) {
    Json header = Json::object();
    if (!metadata.empty()) {
        Json meta = Json::object();
        for (const auto& [key, value] : metadata) meta.set(key, value);
        header.set("__metadata__", meta);
    }
    int64_t offset = 0;
    for (const auto& [name, t] : state) {  // std::map: sorted by name, like the reference implementation
        TT_CHECK(t.defined(), "save_safetensors: '" << name << "' is an undefined tensor");
        Json shape = Json::array();
        for (int d = 0; d < t.dim(); ++d) shape.push_back(t.shape(d));
        Json entry = Json::object();
        entry.set("dtype", "F32").set("shape", shape).set("data_offsets", Json::array({offset, offset + t.nbytes()}));
        header.set(name, entry);
        offset += t.nbytes();
    }
    std::string h = header.dump();
    h.append((8 - h.size() % 8) % 8, ' ');  // pad so the data starts 8-byte aligned
    std::vector<uint8_t> out(8 + h.size() + static_cast<size_t>(offset));
    uint64_t n = h.size();
    for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(n >> (8 * i));
    std::memcpy(out.data() + 8, h.data(), h.size());
    uint8_t* data = out.data() + 8 + h.size();
    for (const auto& [name, t] : state) {
        Tensor c = t.contiguous();
        if (c.nbytes() > 0) std::memcpy(data, c.data(), static_cast<size_t>(c.nbytes()));  // an empty one has no data()
        data += c.nbytes();
    }
    return out;
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

StateDict load_safetensors(const uint8_t* bytes, size_t size, const std::string& source) {
    uint64_t n = 0;
    const Json root = read_header(bytes, size, source, n);
    const uint8_t* data = bytes + 8 + n;
    const uint64_t data_size = size - 8 - n;
    // Every entry is checked — dtype, shape, byte count, offsets inside the data — before any tensor is allocated,
    // and the entries must tile the data: sorted by offset they start at 0, touch without gap or overlap, and end
    // where the file ends (what the reference implementation requires too).
    struct Entry {
        int64_t begin, end;
        const std::string* name;
        Shape shape;
    };
    std::vector<Entry> entries;
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
        TT_CHECK(dtype->as_string() == "F32",
                 "safetensors: tensor '" << name << "' in " << source << " has dtype " << dtype->as_string()
                                         << "; only F32 is supported");
        const std::string field = "safetensors: " + source + ": shape of '" + name + "'";
        Shape s;
        int64_t expected = static_cast<int64_t>(sizeof(float));
        for (const Json& d : shape->items()) {
            s.push_back(as_size(d, "a size of '" + name + "'", source));
            expected = checked_mul(expected, s.back(), field);
        }
        int64_t begin = as_size(offsets->items()[0], "data_offsets of '" + name + "'", source);
        int64_t end = as_size(offsets->items()[1], "data_offsets of '" + name + "'", source);
        TT_CHECK(end >= begin && end - begin == expected,
                 "safetensors: tensor '" << name << "' in " << source << " has shape " << s << " (" << expected
                                         << " bytes) but data_offsets [" << begin << ", " << end << "]");
        TT_CHECK(static_cast<uint64_t>(end) <= data_size,
                 "safetensors: " << source << " is truncated: tensor '" << name << "' ends at byte " << end
                                 << " of the data, but only " << data_size << " bytes follow the header");
        entries.push_back({begin, end, &name, std::move(s)});
    }
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
    int64_t at = 0;
    for (const Entry& e : entries) {
        TT_CHECK(e.begin == at,
                 "safetensors: bad header in " << source << ": tensor '" << *e.name << "' has data_offsets [" << e.begin
                                               << ", " << e.end << "] but the data before it ends at " << at
                                               << (e.begin < at ? " (overlap)" : " (gap)"));
        at = e.end;
    }
    TT_CHECK(static_cast<uint64_t>(at) == data_size,
             "safetensors: " << source << ": " << data_size - static_cast<uint64_t>(at)
                             << " bytes after the last tensor's data (the tensors end at byte " << at << " of "
                             << data_size << ")");
    StateDict out;
    for (const Entry& e : entries) {
        Tensor t(e.shape);
        if (e.end > e.begin) std::memcpy(t.data(), data + e.begin, static_cast<size_t>(e.end - e.begin));
        out[*e.name] = t;
    }
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
