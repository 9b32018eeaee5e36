// safetensors: the checkpoint format shared with PyTorch and Hugging Face.
//
// Layout: 8 bytes little-endian u64 N, then N bytes of JSON header, then the raw data:
//     {"__metadata__": {"k": "v"}, "fc.weight": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...}
// data_offsets are [begin, end) byte offsets into the data that follows the header. The StateDict API writes and
// reads F32 (little-endian, the byte order of x86, ARM and wasm alike) and reports anything else — another dtype, a
// header that is not JSON, offsets past the end of a truncated file — as a tt::Error naming the file and the tensor.
// The raw API (RawTensor) carries any of the format's dtypes as bytes: quantized models (module 16) store I8/U8
// weights with F32 scales and I32/U8 zero points (docs/architecture.md, "Quantized safetensors").
// Byte variants serve the browser, which loads weights as bytes; file variants serve the native build.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "module.h"

namespace tt {

std::vector<uint8_t> save_safetensors(const StateDict& state);
// With "__metadata__": string keys to string values (the format allows nothing else), e.g. a model's config as JSON
// text, so a loader can build the model before it reads the tensors.
std::vector<uint8_t> save_safetensors(const StateDict& state, const std::map<std::string, std::string>& metadata);
// The "__metadata__" of a safetensors file ({} when it has none); a value that is not a string is an error.
std::map<std::string, std::string> load_safetensors_metadata(const uint8_t* bytes, size_t size,
                                                             const std::string& source = "<bytes>");
// `source` names the bytes in error messages (a file name, "weights.safetensors").
StateDict load_safetensors(const uint8_t* bytes, size_t size, const std::string& source = "<bytes>");
StateDict load_safetensors(const std::vector<uint8_t>& bytes, const std::string& source = "<bytes>");

// A tensor of any dtype, as its little-endian bytes: dtype "F32", "I8", "U8", "I32", ... (dtype_size lists them).
struct RawTensor {
    std::string dtype;
    Shape shape;
    std::vector<uint8_t> data;  // numel(shape) * dtype_size(dtype) bytes
};
using RawStateDict = std::map<std::string, RawTensor>;

// Bytes per element of a safetensors dtype (F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL); another name is an error.
int dtype_size(const std::string& dtype);
RawTensor to_raw(const Tensor& t);                             // F32
Tensor from_raw(const RawTensor& t, const std::string& name);  // must be F32; errors name the tensor

std::vector<uint8_t> save_safetensors_raw(const RawStateDict& state,
                                          const std::map<std::string, std::string>& metadata = {});
// Every tensor of the file whatever its dtype (sizes and offsets checked as for F32).
RawStateDict load_safetensors_raw(const uint8_t* bytes, size_t size, const std::string& source = "<bytes>");

void save_safetensors_file(const StateDict& state, const std::string& path);
StateDict load_safetensors_file(const std::string& path);

}  // namespace tt
