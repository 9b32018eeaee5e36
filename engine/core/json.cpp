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

// Length of the valid UTF-8 sequence at s[i] (1-4), or 0 if the bytes there are not one: overlong forms,
// surrogates (U+D800-DFFF) and code points above U+10FFFF are not valid (the ranges of the second byte).
size_t utf8_length(const std::string& s, size_t i) {
    const auto b = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
    const unsigned c = b(0), c1 = b(1);
    const size_t n = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3
                   : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    for (size_t k = 1; k < n; ++k)
        if ((b(k) & 0xC0) != 0x80) return 0;
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90))
        return 0;
    return n;
}

void append_utf8(std::string& out, uint32_t cp) {
    static const unsigned char lead[] = {0, 0x00, 0xC0, 0xE0, 0xF0};  // by the sequence's length
    const int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    out += static_cast<char>(lead[n] | (cp >> (6 * (n - 1))));
    for (int k = n - 2; k >= 0; --k) out += static_cast<char>(0x80 | ((cp >> (6 * k)) & 0x3F));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

const char* kind_name(Json::Kind kind) {
    static const char* const names[] = {"null", "a boolean", "a number", "a string", "an array", "an object"};
    return names[static_cast<int>(kind)];
}

}  // namespace

// ---- values -----------------------------------------------------------------------------------------------------

Json::Json(double value)
    : kind_(Kind::Number), text_(shortest(value, 17, [](const char* s) { return std::strtod(s, nullptr); })),
      number_(value) {}

Json::Json(float value)
    : kind_(Kind::Number), text_(shortest(value, 9, [](const char* s) { return std::strtof(s, nullptr); })),
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
        const char* named = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\n' ? "\\n" : c == '\t' ? "\\t"
                          : c == '\r' ? "\\r" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : nullptr;
        if (named) {
            out += named;
            ++i;
        } else if (c < 0x20 || c == 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
            ++i;
        } else if (size_t n = utf8_length(text, i)) {
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

// ---- reading ----------------------------------------------------------------------------------------------------

class JsonParser {
public:
    JsonParser(const std::string& text, const std::string& source) : s_(text), source_(source) {}

    Json document() {
        Json v = parse_value(0);
        skip_space();
        expect(pos_ == s_.size(), "unexpected text after the value");
        return v;
    }

private:
    static constexpr int kMaxDepth = 32;  // bounds the recursion a hostile file could ask for

    void expect(bool ok, const char* what) {
        if (ok) return;
        // The line and column help in a hand-edited file; a one-line header is told by its byte alone.
        size_t line = 1, column = 1;
        for (size_t i = 0; i < pos_ && i < s_.size(); ++i) {
            if (s_[i] == '\n') ++line, column = 1;
            else ++column;
        }
        const std::string where = s_.find('\n') == std::string::npos ? std::string()
            : " (line " + std::to_string(line) + ", column " + std::to_string(column) + ")";
        TT_CHECK(false, source_ << ": " << what << " at byte " << pos_ << where);
    }
    void skip_space() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t'))
            ++pos_;
    }
    char peek() {
        skip_space();
        expect(pos_ < s_.size(), "unexpected end of the text");
        return s_[pos_];
    }
    bool word(const char* w) {
        const size_t n = std::strlen(w);
        if (s_.compare(pos_, n, w) != 0) return false;
        pos_ += n;
        return true;
    }

    Json parse_value(int depth) {
        expect(depth < kMaxDepth, "nesting too deep");
        const char c = peek();
        if (c == '{') return parse_object(depth);
        if (c == '[') return parse_array(depth);
        if (c == '"') return Json(parse_string());
        if (c == '-' || is_digit(c)) return parse_number();
        if (word("true")) return Json(true);
        if (word("false")) return Json(false);
        if (word("null")) return Json();
        expect(false, "expected a JSON value");
        return Json();
    }

    Json parse_object(int depth) {
        Json v = Json::object();
        ++pos_;  // {
        if (peek() == '}') {
            ++pos_;
            return v;
        }
        for (;;) {
            expect(peek() == '"', "expected a quoted key");
            const size_t key_at = pos_;
            std::string key = parse_string();
            expect(peek() == ':', "expected ':'");
            ++pos_;
            Json member = parse_value(depth + 1);
            if (v.find(key)) {
                pos_ = key_at;
                expect(false, ("duplicate key " + json_quote(key)).c_str());
            }
            v.members_.emplace_back(std::move(key), std::move(member));
            const char c = peek();
            expect(c == ',' || c == '}', "expected ',' or '}'");
            ++pos_;
            if (c == '}') return v;
        }
    }

    Json parse_array(int depth) {
        Json v = Json::array();
        ++pos_;  // [
        if (peek() == ']') {
            ++pos_;
            return v;
        }
        for (;;) {
            v.items_.push_back(parse_value(depth + 1));
            const char c = peek();
            expect(c == ',' || c == ']', "expected ',' or ']'");
            ++pos_;
            if (c == ']') return v;
        }
    }

    uint32_t hex4() {
        expect(pos_ + 4 <= s_.size(), "unterminated \\u escape");
        uint32_t cp = 0;
        for (int k = 0; k < 4; ++k, ++pos_) {
            const char h = s_[pos_];
            const int d = is_digit(h) ? h - '0' : (h | 0x20) >= 'a' && (h | 0x20) <= 'f' ? (h | 0x20) - 'a' + 10 : -1;
            expect(d >= 0, "expected 4 hex digits after \\u");
            cp = cp * 16 + static_cast<uint32_t>(d);
        }
        return cp;
    }

    std::string parse_string() {
        ++pos_;  // opening quote
        std::string out;
        for (;;) {
            expect(pos_ < s_.size(), "unterminated string");
            const unsigned char c = static_cast<unsigned char>(s_[pos_]);
            if (c == '"') break;
            expect(c >= 0x20, "control character in a string (write it as an escape, \\n or \\u00XX)");
            if (c != '\\') {
                const size_t n = utf8_length(s_, pos_);
                expect(n > 0, "invalid UTF-8 in a string");
                out.append(s_, pos_, n);
                pos_ += n;
                continue;
            }
            expect(++pos_ < s_.size(), "unterminated escape");
            const char e = s_[pos_++];
            const char* from = "\"\\/bfnrt";
            const char* to = "\"\\/\b\f\n\r\t";
            if (const char* hit = e ? std::strchr(from, e) : nullptr) {
                out += to[hit - from];
            } else {
                --pos_;
                expect(e == 'u', "unknown escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
                ++pos_;
                uint32_t cp = hex4();
                if (cp >= 0xD800 && cp <= 0xDBFF) {  // a UTF-16 surrogate pair: \uD83D\uDE00
                    expect(word("\\u"), "a high surrogate \\uD800-\\uDBFF must be followed by a \\u low surrogate");
                    const uint32_t low = hex4();
                    expect(low >= 0xDC00 && low <= 0xDFFF, "expected a low surrogate \\uDC00-\\uDFFF");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                } else {
                    expect(cp < 0xDC00 || cp > 0xDFFF, "a low surrogate without a high one");
                }
                append_utf8(out, cp);
            }
        }
        ++pos_;  // closing quote
        return out;
    }

    // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    Json parse_number() {
        const size_t start = pos_;
        const auto digits = [&] {
            const size_t from = pos_;
            while (pos_ < s_.size() && is_digit(s_[pos_])) ++pos_;
            return pos_ - from;
        };
        if (s_[pos_] == '-') ++pos_;
        const size_t first = pos_;
        const size_t whole = digits();
        expect(whole > 0, "expected a digit");
        if (whole > 1 && s_[first] == '0') {
            pos_ = first + 1;
            expect(false, "a number may not start with 0");
        }
        if (pos_ < s_.size() && s_[pos_] == '.') {
            ++pos_;
            expect(digits() > 0, "expected a digit after '.'");
        }
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            ++pos_;
            if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
            expect(digits() > 0, "expected a digit in the exponent");
        }
        Json v;
        v.kind_ = Json::Kind::Number;
        v.text_ = s_.substr(start, pos_ - start);
        v.number_ = std::strtod(v.text_.c_str(), nullptr);
        if (!std::isfinite(v.number_)) {
            pos_ = start;
            expect(false, "number out of range");
        }
        return v;
    }

    const std::string& s_;
    const std::string& source_;
    size_t pos_ = 0;
};

Json parse_json(const std::string& text, const std::string& source) { return JsonParser(text, source).document(); }

}  // namespace tt
