#include "sparse_safetensors.h"

#include <cmath>
#include <map>

#include "error.h"
#include "json.h"
#include "safetensors.h"
#include "sparse.h"

namespace tt {

namespace {

constexpr int64_t kExactF32 = int64_t{1} << 24;  // every integer up to here is exact in float32

Tensor as_f32(const std::vector<int64_t>& ints) {
    std::vector<float> v(ints.size());
    for (size_t i = 0; i < ints.size(); ++i) v[i] = static_cast<float>(ints[i]);
    const int64_t n = static_cast<int64_t>(v.size());  // before the move: argument order is unspecified
    return Tensor({n}, std::move(v));
}

std::vector<int64_t> as_ints(const Tensor& t, const std::string& name, const std::string& source) {
    std::vector<int64_t> out;
    const std::vector<float> v = t.to_vector();
    for (size_t i = 0; i < v.size(); ++i) {
        TT_CHECK(v[i] == std::floor(v[i]) && std::fabs(v[i]) <= static_cast<float>(kExactF32),
                 source << ": " << name << "[" << i << "] = " << v[i] << " is not an exact integer index");
        out.push_back(static_cast<int64_t>(v[i]));
    }
    return out;
}

}  // namespace

std::vector<uint8_t> save_sparse_safetensors(const StateDict& state, const std::vector<std::string>& csr_names) {
    StateDict out = state;
    Json shapes = Json::object();
    for (const std::string& name : csr_names) {
        auto it = state.find(name);
        TT_CHECK(it != state.end(), "save_sparse_safetensors: no tensor '" << name << "' in the state dict");
        TT_CHECK(it->second.dim() == 2,
                 "save_sparse_safetensors: '" << name << "' has shape " << it->second.shape() << ", CSR needs 2-D");
        const CsrMatrix a = csr_from_dense(it->second);
        TT_CHECK(a.nnz() <= kExactF32 && a.cols <= kExactF32,
                 "save_sparse_safetensors: '" << name << "' has " << a.nnz() << " values and " << a.cols
                                              << " columns; F32 indices are exact up to 16777216");
        std::vector<int64_t> cols(static_cast<size_t>(a.nnz())), rows(a.row_ptr.begin(), a.row_ptr.end());
        for (int64_t i = 0; i < a.nnz(); ++i) cols[i] = a.col(i);
        out.erase(name);
        out[name + ".csr_values"] = Tensor({a.nnz()}, a.values);
        out[name + ".csr_col_indices"] = as_f32(cols);
        out[name + ".csr_row_ptr"] = as_f32(rows);
        shapes.set(name, Json::array({Json(a.rows), Json(a.cols)}));
    }
    return save_safetensors(out, {{"tt.csr", shapes.dump()}});
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
    StateDict state = load_safetensors(bytes, size, source);
    const auto metadata = load_safetensors_metadata(bytes, size, source);
    auto it = metadata.find("tt.csr");
    if (it == metadata.end()) return state;  // a plain (dense) file
    const Json shapes = parse_json(it->second, source + " metadata tt.csr");
    TT_CHECK(shapes.is_object(), source << ": metadata tt.csr must be a JSON object");
    for (const auto& member : shapes.members()) {
        const std::string& name = member.first;
        const Json& shape = member.second;
        TT_CHECK(shape.is_array() && shape.items().size() == 2 && shape.items()[0].is_number() &&
                     shape.items()[1].is_number(),
                 source << ": tt.csr shape of '" << name << "' must be [M, K]");
        Tensor parts[3];
        const char* suffix[3] = {".csr_values", ".csr_col_indices", ".csr_row_ptr"};
        for (int p = 0; p < 3; ++p) {
            auto found = state.find(name + suffix[p]);
            TT_CHECK(found != state.end(), source << ": '" << name << suffix[p] << "' is missing");
            parts[p] = found->second;
            state.erase(found);
        }
        const CsrMatrix a = csr_from_parts(static_cast<int64_t>(shape.items()[0].as_number()),
                                           static_cast<int64_t>(shape.items()[1].as_number()), parts[0].to_vector(),
                                           as_ints(parts[1], name + ".csr_col_indices", source),
                                           as_ints(parts[2], name + ".csr_row_ptr", source));
        state[name] = csr_to_dense(a);
    }
    return state;
}

}  // namespace tt
