// The reader behind parse_json (json.h): a strict recursive-descent parser with a depth bound, whose errors name the
// source, the byte and (for text of several lines) the line and column.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "error.h"
#include "json.h"

namespace tt {

namespace {

void append_utf8(std::string& out, uint32_t cp) {
    static const unsigned char lead[] = {0, 0x00, 0xC0, 0xE0, 0xF0};  // by the sequence's length
    const int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    out += static_cast<char>(lead[n] | (cp >> (6 * (n - 1))));
    for (int k = n - 2; k >= 0; --k) out += static_cast<char>(0x80 | ((cp >> (6 * k)) & 0x3F));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

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
        const std::string where = s_.find('\n') == std::string::npos
            ? std::string()
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
                const size_t n = json_detail::utf8_length(s_, pos_);
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
