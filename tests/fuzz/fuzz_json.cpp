// Fuzz driver: the JSON reader (core/json.h parse_json). An accepted document dumps to text that parses back to
// the same dump.
#include "fuzz_common.h"
#include "json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    tt::Json v;
    if (tt::fuzz::accepts([&] { v = tt::parse_json(tt::fuzz::text(data, size), "fuzz.json"); })) {
        const std::string once = v.dump(), pretty = v.dump(2);
        tt::fuzz::require(tt::parse_json(once, "dumped").dump() == once, "dump parses back to itself");
        tt::fuzz::require(tt::parse_json(pretty, "dumped").dump() == once, "an indented dump parses back");
    }
    return 0;
}
