// Module 16 — Compression: a pruned model's state dict saved with its sparse weights as CSR (kernels/sparse.h), in
// an ordinary safetensors file that PyTorch can open (torch.sparse_csr_tensor(row_ptr, col_indices, values, shape)).
//
// A weight "0.weight" [M, K] stored as CSR becomes three tensors and one metadata entry:
//     "0.weight.csr_values"      F32 [nnz]
//     "0.weight.csr_col_indices" U16 [nnz]    (U32 when K > 65536): the same bytes as CsrMatrix in memory
//     "0.weight.csr_row_ptr"     I32 [M + 1]
//     __metadata__ "tt.csr":     {"0.weight": [M, K], ...}  (JSON text: which names are CSR, and their dense shapes)
// Every other tensor is stored as it is (F32). So the file holds CsrMatrix::nbytes() per CSR weight plus the header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "module.h"

namespace tt {

// Stores `csr_names` (2-D tensors of `state`) as CSR, the rest dense.
std::vector<uint8_t> save_sparse_safetensors(const StateDict& state, const std::vector<std::string>& csr_names);
// Chooses for itself: every 2-D tensor whose CSR is smaller than its dense bytes.
std::vector<uint8_t> save_sparse_safetensors(const StateDict& state);
// The dense state dict back: CSR entries expanded to their [M, K]; the arrays are checked (csr_from_parts), and an
// entry the metadata names but the file lacks, or of another dtype, is an error naming it and `source`.
StateDict load_sparse_safetensors(const uint8_t* bytes, size_t size, const std::string& source = "<bytes>");

}  // namespace tt
