#include "json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "error.h"

namespace tt {

namespace {

// The fewest significant digits that read back as exactly `value` through `read_back`, in plain notation from 1e-6
// to 1e21 (100, not %g's 1e+02) and in exponent notation outside (1e-07), as JavaScript writes numbers.
template <typename T, typename Read>
std::string shortest(T value, int max_digits, Read read_back) {
    TT_CHECK(std::isfinite(value), "json: " << value << " cannot be written: JSON numbers are finite");
    char buf[48];
    int p = 1;
    for (;; ++p) {
        std::snprintf(buf, sizeof buf, "%.*e", p - 1, static_cast<double>(value));
        if (p >= max_digits || read_back(buf) == value) break;
    }
    const int exponent = std::atoi(std::strchr(buf, 'e') + 1);
    if (exponent >= -6 && exponent < 21)
        std::snprintf(buf, sizeof buf, "%.*f", std::max(p - 1 - exponent, 0), static_cast<double>(value));
    return buf;
}

const char* kind_name(Json::Kind kind) {
    static const char* const names[] = {"null", "a boolean", "a number", "a string", "an array", "an object"};
    return names[static_cast<int>(kind)];
}

}  // namespace

namespace json_detail {

// Length of the valid UTF-8 sequence at s[i] (1-4), or 0 if the bytes there are not one: overlong forms,
// surrogates (U+D800-DFFF) and code points above U+10FFFF are not valid (the ranges of the second byte).
size_t utf8_length(const std::string& s, size_t i) {
    const auto b = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
    const unsigned c = b(0), c1 = b(1);
    const size_t n = c < 0x80      ? 1
        : (c >= 0xC2 && c <= 0xDF) ? 2
        : (c >= 0xE0 && c <= 0xEF) ? 3
        : (c >= 0xF0 && c <= 0xF4) ? 4
                                   : 0;
    for (size_t k = 1; k < n; ++k)
        if ((b(k) & 0xC0) != 0x80) return 0;
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90))
        return 0;
    return n;
}

}  // namespace json_detail

// ---- values -----------------------------------------------------------------------------------------------------

Json::Json(double value)
    : kind_(Kind::Number),
      text_(shortest(value, 17, [](const char* s) { return std::strtod(s, nullptr); })),
      number_(value) {}

Json::Json(float value)
    : kind_(Kind::Number),
      text_(shortest(value, 9, [](const char* s) { return std::strtof(s, nullptr); })),
      number_(value) {}

Json Json::array(std::vector<Json> items) {
    Json v;
    v.kind_ = Kind::Array;
    v.items_ = std::move(items);
    return v;
}

Json Json::object() {
    Json v;
    v.kind_ = Kind::Object;
    return v;
}

void Json::require(Kind want) const {
    TT_CHECK(kind_ == want, "json: expected " << kind_name(want) << ", got " << kind_name(kind_));
}

bool Json::as_bool() const {
    require(Kind::Bool);
    return bool_;
}
double Json::as_number() const {
    require(Kind::Number);
    return number_;
}
const std::string& Json::as_string() const {
    require(Kind::String);
    return text_;
}
const std::vector<Json>& Json::items() const {
    require(Kind::Array);
    return items_;
}
const std::vector<std::pair<std::string, Json>>& Json::members() const {
    require(Kind::Object);
    return members_;
}
Json& Json::push_back(Json item) {
    require(Kind::Array);
    items_.push_back(std::move(item));
    return *this;
}

const Json* Json::find(const std::string& key) const {
    for (const auto& member : members())
        if (member.first == key) return &member.second;
    return nullptr;
}

Json& Json::set(const std::string& key, Json value) {
    require(Kind::Object);
    for (auto& member : members_)
        if (member.first == key) {
            member.second = std::move(value);
            return *this;
        }
    members_.emplace_back(key, std::move(value));
    return *this;
}

// ---- writing ----------------------------------------------------------------------------------------------------

std::string json_quote(const std::string& text) {
    std::string out = "\"";
    for (size_t i = 0; i < text.size();) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        const char* named = c == '"' ? "\\\""
            : c == '\\'              ? "\\\\"
            : c == '\n'              ? "\\n"
            : c == '\t'              ? "\\t"
            : c == '\r'              ? "\\r"
            : c == '\b'              ? "\\b"
            : c == '\f'              ? "\\f"
                                     : nullptr;
        if (named) {
            out += named;
            ++i;
        } else if (c < 0x20 || c == 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
            ++i;
        } else if (size_t n = json_detail::utf8_length(text, i)) {
            out.append(text, i, n);
            i += n;
        } else {
            out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER, as a decoder would show the bad byte
            ++i;
        }
    }
    return out + "\"";
}

std::string Json::dump(int indent) const {
    std::string out;
    write(out, indent, 0);
    return out;
}

void Json::write(std::string& out, int indent, int depth) const {
    switch (kind_) {
        case Kind::Null: out += "null"; return;
        case Kind::Bool: out += bool_ ? "true" : "false"; return;
        case Kind::Number: out += text_; return;
        case Kind::String: out += json_quote(text_); return;
        default: break;
    }
    const bool is_obj = kind_ == Kind::Object;
    const size_t n = is_obj ? members_.size() : items_.size();
    bool flat = indent < 0;  // all on one line: compact, or pretty but holding no containers
    if (!flat) {
        flat = true;
        for (size_t i = 0; i < n; ++i) {
            const Json& v = is_obj ? members_[i].second : items_[i];
            flat = flat && !v.is_array() && !v.is_object();
        }
    }
    const std::string pad = flat ? "" : "\n" + std::string(static_cast<size_t>(indent * (depth + 1)), ' ');
    out += is_obj ? '{' : '[';
    for (size_t i = 0; i < n; ++i) {
        if (i) out += indent < 0 || !flat ? "," : ", ";
        out += pad;
        if (is_obj) {
            out += json_quote(members_[i].first);
            out += indent < 0 ? ":" : ": ";
        }
        (is_obj ? members_[i].second : items_[i]).write(out, indent, depth + 1);
    }
    if (!flat && n) out += "\n" + std::string(static_cast<size_t>(indent * depth), ' ');
    out += is_obj ? '}' : ']';
}

}  // namespace tt
