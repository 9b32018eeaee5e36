// PyTorch reference tensors for the checks, read from TT_FIXTURES_DIR/NN_*.txt (tests/fixtures, written by
// make_fixtures.py; /fixtures in the student build's read-only in-memory file system), and the comparison the checks
// use. Reads the files with the standard library only, so a check never depends on the engine code it is checking
// beyond Tensor itself.
#pragma once

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "tensor.h"
#include "testing.h"

namespace tt_test {

// All tensors of one fixture file, by name. Unknown names fail the running check with the file and the name.
class Fixtures {
public:
    explicit Fixtures(const std::string& file) : path_(std::string(TT_FIXTURES_DIR) + "/" + file) {
        std::ifstream in(path_);
        if (!in) {
            FAIL("cannot open fixture file " << path_ << " (run tests/fixtures/make_fixtures.py)");
            return;
        }
        std::string header, values;
        int line = 0;
        while (std::getline(in, header)) {
            ++line;
            if (header.empty() || header[0] == '#') continue;
            std::istringstream h(header);
            std::string name;
            int ndim = 0;
            h >> name >> ndim;
            tt::Shape shape(ndim);
            for (auto& s : shape) h >> s;
            std::vector<float> data;
            if (!std::getline(in, values)) {
                FAIL(path_ << ":" << line << ": values of '" << name << "' are missing");
                return;
            }
            ++line;
            std::istringstream v(values);
            // float via double: strtof-style parsing of 9 significant digits is an exact round trip
            for (double x; v >> x;) data.push_back(static_cast<float>(x));
            if (static_cast<int64_t>(data.size()) != tt::numel(shape)) {
                FAIL(path_ << ":" << line << ": '" << name << "' has shape " << shape << " but " << data.size()
                           << " values");
                return;
            }
            tensors_.emplace(name, tt::Tensor(shape, std::move(data)));
        }
    }

    tt::Tensor operator[](const std::string& name) const {
        auto it = tensors_.find(name);
        if (it == tensors_.end()) {
            FAIL("fixture '" << name << "' is not in " << path_ << " (re-run make_fixtures.py?)");
            return tt::Tensor();
        }
        return it->second.clone();  // a fresh copy: a check may write into it
    }

private:
    std::string path_;
    std::map<std::string, tt::Tensor> tensors_;
};

// got vs expected: same shape, and |got - expected| <= atol + rtol * |expected| everywhere (NaN never matches).
struct Comparison {
    bool ok = true;
    std::string message;
};

inline Comparison compare(const tt::Tensor& got, const tt::Tensor& expected, float atol, float rtol) {
    Comparison c;
    std::ostringstream msg;
    if (!got.defined() || got.shape() != expected.shape()) {
        c.ok = false;
        msg << "shape: expected " << expected.shape() << ", got " << (got.defined() ? got.shape() : tt::Shape{})
            << (got.defined() ? "" : " (undefined tensor)");
        c.message = msg.str();
        return c;
    }
    std::vector<float> g = got.to_vector(), e = expected.to_vector();
    double worst = 0;
    size_t worst_at = 0;
    for (size_t i = 0; i < g.size(); ++i) {
        double d = std::fabs(static_cast<double>(g[i]) - e[i]);
        bool close = d <= atol + rtol * std::fabs(e[i]) && !std::isnan(g[i]);
        if (std::isinf(e[i]) && g[i] == e[i]) close = true;
        if (!close) {
            c.ok = false;
            if (std::isnan(d) || d > worst || std::isnan(g[i])) {
                worst = std::isnan(d) ? INFINITY : d;
                worst_at = i;
            }
        }
    }
    if (!c.ok) {
        msg << "values differ (atol " << atol << ", rtol " << rtol << "); worst at flat index " << worst_at
            << ": expected " << e[worst_at] << ", got " << g[worst_at] << "\n  expected: " << expected
            << "\n  got:      " << got;
        c.message = msg.str();
    }
    return c;
}

}  // namespace tt_test

// CHECK_TENSOR(got, expected, atol, rtol): the shapes match and the values are close; on failure prints both tensors
// (and whatever INFO(...) the check gave about its input).
#define CHECK_TENSOR(got, expected, atol, rtol)                                                \
    do {                                                                                       \
        ::tt_test::Comparison tt_cmp_ = ::tt_test::compare((got), (expected), (atol), (rtol)); \
        CHECK_MESSAGE(tt_cmp_.ok, #got " vs " #expected ": " << tt_cmp_.message);              \
    } while (0)

// Exact equality of shape and values (for views and copies, where nothing is computed).
#define CHECK_TENSOR_EQ(got, expected) CHECK_TENSOR(got, expected, 0.0f, 0.0f)
