#include "sparse_safetensors.h"

#include <cstring>
#include <map>

#include "error.h"
#include "json.h"
#include "safetensors.h"
#include "sparse.h"

namespace tt {

namespace {

template <typename T>
RawTensor raw_of(const char* dtype, const std::vector<T>& v) {
    RawTensor r{dtype, {static_cast<int64_t>(v.size())}, std::vector<uint8_t>(v.size() * sizeof(T))};
    if (!v.empty()) std::memcpy(r.data.data(), v.data(), r.data.size());  // little-endian, as the format
    return r;
}

template <typename T>
std::vector<int64_t> ints_of(const RawTensor& r) {
    std::vector<int64_t> out(r.data.size() / sizeof(T));
    for (size_t i = 0; i < out.size(); ++i) {
        T x;
        std::memcpy(&x, r.data.data() + i * sizeof(T), sizeof(T));
        out[i] = static_cast<int64_t>(x);
    }
    return out;
}

const RawTensor& take(const RawStateDict& raw, const std::string& name, std::initializer_list<const char*> dtypes,
                      const std::string& source) {
    auto it = raw.find(name);
    TT_CHECK(it != raw.end(), source << ": '" << name << "' is missing");
    bool ok = false;
    for (const char* d : dtypes) ok = ok || it->second.dtype == d;
    TT_CHECK(ok && it->second.shape.size() == 1,
             source << ": '" << name << "' is " << it->second.dtype << " " << it->second.shape << ", expected a 1-D "
                    << *dtypes.begin() << (dtypes.size() > 1 ? " (or U32)" : ""));
    return it->second;
}

}  // namespace

std::vector<uint8_t> save_sparse_safetensors(const StateDict& state, const std::vector<std::string>& csr_names) {
    RawStateDict out;
    for (const auto& entry : state) out[entry.first] = to_raw(entry.second);
    Json shapes = Json::object();
    for (const std::string& name : csr_names) {
        auto it = state.find(name);
        TT_CHECK(it != state.end(), "save_sparse_safetensors: no tensor '" << name << "' in the state dict");
        TT_CHECK(it->second.dim() == 2,
                 "save_sparse_safetensors: '" << name << "' has shape " << it->second.shape() << ", CSR needs 2-D");
        const CsrMatrix a = csr_from_dense(it->second);
        out.erase(name);
        out[name + ".csr_values"] = raw_of("F32", a.values);
        out[name + ".csr_col_indices"] = a.narrow_indices() ? raw_of("U16", a.col16) : raw_of("U32", a.col32);
        out[name + ".csr_row_ptr"] = raw_of("I32", a.row_ptr);
        shapes.set(name, Json::array({Json(a.rows), Json(a.cols)}));
    }
    return save_safetensors_raw(out, {{"tt.csr", shapes.dump()}});
}

std::vector<uint8_t> save_sparse_safetensors(const StateDict& state) {
    std::vector<std::string> names;
    for (const auto& entry : state) {
        if (entry.second.dim() != 2) continue;
        const CsrMatrix a = csr_from_dense(entry.second);
        if (a.nbytes() < a.dense_nbytes()) names.push_back(entry.first);
    }
    return save_sparse_safetensors(state, names);
}

StateDict load_sparse_safetensors(const uint8_t* bytes, size_t size, const std::string& source) {
    RawStateDict raw = load_safetensors_raw(bytes, size, source);
    const auto metadata = load_safetensors_metadata(bytes, size, source);
    StateDict state;
    auto it = metadata.find("tt.csr");
    if (it != metadata.end()) {
        const Json shapes = parse_json(it->second, source + " metadata tt.csr");
        TT_CHECK(shapes.is_object(), source << ": metadata tt.csr must be a JSON object");
        for (const auto& member : shapes.members()) {
            const std::string& name = member.first;
            const Json& shape = member.second;
            TT_CHECK(shape.is_array() && shape.items().size() == 2 && shape.items()[0].is_number() &&
                         shape.items()[1].is_number(),
                     source << ": tt.csr shape of '" << name << "' must be [M, K]");
            const RawTensor& values = take(raw, name + ".csr_values", {"F32"}, source);
            const RawTensor& cols = take(raw, name + ".csr_col_indices", {"U16", "U32"}, source);
            const RawTensor& rows = take(raw, name + ".csr_row_ptr", {"I32"}, source);
            const Tensor v = from_raw(values, name + ".csr_values");
            const CsrMatrix a = csr_from_parts(static_cast<int64_t>(shape.items()[0].as_number()),
                                               static_cast<int64_t>(shape.items()[1].as_number()), v.to_vector(),
                                               cols.dtype == "U16" ? ints_of<uint16_t>(cols) : ints_of<uint32_t>(cols),
                                               ints_of<int32_t>(rows));
            state[name] = csr_to_dense(a);
            for (const char* suffix : {".csr_values", ".csr_col_indices", ".csr_row_ptr"}) raw.erase(name + suffix);
        }
    }
    for (const auto& entry : raw) state[entry.first] = from_raw(entry.second, entry.first);
    return state;
}

}  // namespace tt
