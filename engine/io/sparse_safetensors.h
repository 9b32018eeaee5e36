// Module 16 — Compression: a pruned model's state dict saved with its sparse weights as CSR (kernels/sparse.h), in
// an ordinary safetensors file that PyTorch can open.
//
// A weight "0.weight" [M, K] stored as CSR becomes three tensors and one metadata entry:
//     "0.weight.csr_values"      F32 [nnz]
//     "0.weight.csr_col_indices" F32 [nnz]     column indices, integers stored exactly as float32
//     "0.weight.csr_row_ptr"     F32 [M + 1]   row pointers, likewise
//     __metadata__ "tt.csr":     {"0.weight": [M, K], ...}  (JSON text: which names are CSR, and their dense shapes)
// Every other tensor is stored as it is. The engine's safetensors reader and writer know F32 only, so the indices
// are F32-exact integers (exact up to 2^24 = 16,777,216: larger nnz or K is an error) and take 4 bytes each on disk
// where CsrMatrix keeps 2 (uint16) in memory; csr_file_bytes reports the difference.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "module.h"

namespace tt {

// Stores `csr_names` (2-D tensors of `state`) as CSR, the rest dense.
std::vector<uint8_t> save_sparse_safetensors(const StateDict& state, const std::vector<std::string>& csr_names);
// Chooses for itself: every 2-D tensor whose CSR (with uint16 indices) is smaller than its dense bytes.
std::vector<uint8_t> save_sparse_safetensors(const StateDict& state);
// The dense state dict back: CSR entries expanded to their [M, K]; the arrays are checked (csr_from_parts) and an
// entry the metadata names but the file lacks is an error naming it and `source`.
StateDict load_sparse_safetensors(const uint8_t* bytes, size_t size, const std::string& source = "<bytes>");

}  // namespace tt
