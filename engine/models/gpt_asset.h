// TinyGPT's file format, one reader and writer for `tt` (cli/generate.cpp) and the page (bindings/gpt*.cpp).
//
// A safetensors file holding the GPT's state dict plus two metadata strings: "tt.gpt", the GPTConfig as a JSON object
// (vocab_size, block_size, n_layer, n_head, n_embd, tie_weights), and "tt.vocab", the vocabulary's characters in id
// order as one JSON string (id i is the i-th code point). A loader builds the model from these before it reads a
// single tensor. Training checkpoints carry the same two keys, so a checkpoint alone rebuilds its model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gpt.h"
#include "json.h"

namespace tt {

Json gpt_config_json(const GPTConfig& c);

// A GPTConfig from JSON, snake_case or camelCase keys. A file's config (`complete`) must name every field; a page's
// "new model" config may leave some out, which then keep GPTConfig's defaults. `source` starts every error message.
GPTConfig gpt_config_from_json(const Json& j, const std::string& source, bool complete);

// "tt.gpt" and "tt.vocab" for a model with this vocabulary (one code point per id).
std::map<std::string, std::string> gpt_asset_metadata(const GPTConfig& c, const std::vector<uint32_t>& vocab);

struct GPTAssetHeader {
    GPTConfig config;
    std::vector<uint32_t> vocab;  // code points, id order; as many as config.vocab_size
};
// Reads and checks the metadata of a TinyGPT safetensors file (no tensors): both keys present, a complete config,
// a vocabulary string of exactly vocab_size distinct characters.
GPTAssetHeader read_gpt_asset_header(const uint8_t* bytes, size_t size, const std::string& source);

}  // namespace tt
