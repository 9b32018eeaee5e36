// SHA-256 (FIPS 180-4) of a byte string, as 64 lowercase hex digits: the model card names the exact corpus a model
// was trained on by this hash (the same as `sha256sum` and Python's hashlib print).
#pragma once

#include <string>

namespace tt::cli {

std::string sha256_hex(const std::string& bytes);

}  // namespace tt::cli
