// safetensors: the checkpoint format shared with PyTorch and Hugging Face.
//
// Layout: 8 bytes little-endian u64 N, then N bytes of JSON header, then the raw data:
//     {"__metadata__": {"k": "v"}, "fc.weight": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...}
// data_offsets are [begin, end) byte offsets into the data that follows the header. The engine writes and reads F32
// (little-endian, the byte order of x86, ARM and wasm alike) and reports anything else — another dtype, a header
// that is not JSON, offsets past the end of a truncated file — as a tt::Error naming the file and the tensor.
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

void save_safetensors_file(const StateDict& state, const std::string& path);
StateDict load_safetensors_file(const std::string& path);

}  // namespace tt
