// JSON, the engine's one reader and writer of it: safetensors headers, model cards, `tt grade`'s report and
// lesson.json, the check runner's result lines.
//
//     Json card = Json::object();
//     card.set("name", "mnist-mlp").set("parameters", 101770).set("classes", Json::array({"0", "1"}));
//     card.dump()   →  {"name":"mnist-mlp","parameters":101770,"classes":["0","1"]}
//     Json v = parse_json(text, "assets/mnist-mlp.json");   // strict; errors name the source and the byte
//
// Objects keep their members in insertion order (a written file reads in the order it was built). Numbers keep the
// literal they were read or built as, so a value is written back with the same digits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace tt {

class Json {
public:
    enum class Kind { Null, Bool, Number, String, Array, Object };

    Json() = default;  // null
    Json(std::nullptr_t) {}
    Json(bool value) : kind_(Kind::Bool), bool_(value) {}
    Json(double value);  // must be finite: JSON has no NaN or infinity
    Json(float value);   // written with the fewest digits that read back as this float: 0.05f → 0.05
    template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
    Json(T value) : kind_(Kind::Number), text_(std::to_string(value)), number_(static_cast<double>(value)) {}
    Json(const char* text) : kind_(Kind::String), text_(text) {}
    Json(std::string text) : kind_(Kind::String), text_(std::move(text)) {}

    static Json array(std::vector<Json> items = {});
    static Json object();

    Kind kind() const { return kind_; }
    bool is_null() const { return kind_ == Kind::Null; }
    bool is_bool() const { return kind_ == Kind::Bool; }
    bool is_number() const { return kind_ == Kind::Number; }
    bool is_string() const { return kind_ == Kind::String; }
    bool is_array() const { return kind_ == Kind::Array; }
    bool is_object() const { return kind_ == Kind::Object; }

    // The value, when it is of that kind (a failed TT_CHECK otherwise; callers that can name the field check the
    // kind first and say which field was wrong).
    bool as_bool() const;
    double as_number() const;
    const std::string& as_string() const;
    const std::vector<Json>& items() const;                            // an array's
    const std::vector<std::pair<std::string, Json>>& members() const;  // an object's
    const Json* find(const std::string& key) const;                    // an object's member, or nullptr

    Json& push_back(Json item);                     // appends to an array
    Json& set(const std::string& key, Json value);  // an object's member: replaced if present, else appended

    // indent < 0: compact, no spaces (safetensors headers, one-line records). indent >= 0: one member or item per
    // line, indented; a container holding only numbers, strings, booleans and nulls stays on one line.
    std::string dump(int indent = -1) const;

private:
    void require(Kind want) const;
    void write(std::string& out, int indent, int depth) const;

    Kind kind_ = Kind::Null;
    bool bool_ = false;
    std::string text_;  // a string's value; a number's literal
    double number_ = 0;
    std::vector<Json> items_;
    std::vector<std::pair<std::string, Json>> members_;

    friend class JsonParser;
};

// Parses one JSON document (RFC 8259) strictly: no comments, trailing commas, single quotes, bare words, control
// characters or invalid UTF-8 in strings, duplicate keys, or text after the value. `source` begins every error
// message: "<source>: expected ':' at byte 5" (with the line and column when the text has several lines).
Json parse_json(const std::string& text, const std::string& source);

namespace json_detail {
// Length of the valid UTF-8 sequence at s[i] (1-4), or 0 when the bytes there are not one (shared by the writer,
// which passes valid text through, and the reader, which rejects invalid text).
size_t utf8_length(const std::string& s, size_t i);
}  // namespace json_detail

// `text` as a JSON string literal, quotes included: escapes " and \, writes control characters as \n, \t, \u001b...;
// valid UTF-8 passes through unchanged, a byte that is not valid UTF-8 becomes U+FFFD.
std::string json_quote(const std::string& text);

}  // namespace tt
