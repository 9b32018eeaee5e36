#include "safetensors.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "error.h"

namespace tt {

namespace {

// ---- a JSON reader for the header: objects, arrays, strings, numbers (and true/false/null, skipped) --------------

struct Json {
    enum Kind { Object, Array, String, Number, Literal } kind = Literal;
    std::string text;  // String
    double number = 0;  // Number
    std::vector<std::pair<std::string, Json>> members;  // Object
    std::vector<Json> items;  // Array

    const Json* find(const std::string& key) const {
        for (const auto& m : members)
            if (m.first == key) return &m.second;
        return nullptr;
    }
};

class JsonParser {
public:
    JsonParser(const std::string& text, const std::string& source) : s_(text), source_(source) {}

    Json parse_document() {
        Json v = parse_value(0);
        skip_space();
        expect(pos_ == s_.size(), "unexpected text after the header object");
        return v;
    }

private:
    void expect(bool ok, const char* what) {
        TT_CHECK(ok, "safetensors: bad header in " << source_ << ": " << what << " at byte " << pos_);
    }
    void skip_space() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t'))
            ++pos_;
    }
    char peek() {
        skip_space();
        expect(pos_ < s_.size(), "unexpected end of the header");
        return s_[pos_];
    }

    Json parse_value(int depth) {
        expect(depth < 16, "nesting too deep");
        char c = peek();
        if (c == '{') return parse_object(depth);
        if (c == '[') return parse_array(depth);
        if (c == '"') {
            Json v;
            v.kind = Json::String;
            v.text = parse_string();
            return v;
        }
        if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
        for (const char* word : {"true", "false", "null"})
            if (s_.compare(pos_, std::strlen(word), word) == 0) {
                pos_ += std::strlen(word);
                return Json();
            }
        expect(false, "expected a JSON value");
        return Json();
    }

    Json parse_object(int depth) {
        Json v;
        v.kind = Json::Object;
        ++pos_;  // {
        if (peek() == '}') {
            ++pos_;
            return v;
        }
        for (;;) {
            expect(peek() == '"', "expected a quoted key");
            std::string key = parse_string();
            expect(peek() == ':', "expected ':'");
            ++pos_;
            v.members.emplace_back(key, parse_value(depth + 1));
            char c = peek();
            ++pos_;
            if (c == '}') return v;
            expect(c == ',', "expected ',' or '}'");
        }
    }

    Json parse_array(int depth) {
        Json v;
        v.kind = Json::Array;
        ++pos_;  // [
        if (peek() == ']') {
            ++pos_;
            return v;
        }
        for (;;) {
            v.items.push_back(parse_value(depth + 1));
            char c = peek();
            ++pos_;
            if (c == ']') return v;
            expect(c == ',', "expected ',' or ']'");
        }
    }

    std::string parse_string() {
        ++pos_;  // opening quote
        std::string out;
        while (pos_ < s_.size() && s_[pos_] != '"') {
            char c = s_[pos_++];
            if (c == '\\') {
                expect(pos_ < s_.size(), "unterminated escape");
                char e = s_[pos_++];
                if (e == 'n') c = '\n';
                else if (e == 't') c = '\t';
                else if (e == 'u') {  // keep \uXXXX as written: names in practice are ASCII
                    out += "\\u";
                    continue;
                } else c = e;
            }
            out += c;
        }
        expect(pos_ < s_.size(), "unterminated string");
        ++pos_;  // closing quote
        return out;
    }

    Json parse_number() {
        size_t start = pos_;
        while (pos_ < s_.size() && (std::strchr("+-.eE", s_[pos_]) || (s_[pos_] >= '0' && s_[pos_] <= '9'))) ++pos_;
        Json v;
        v.kind = Json::Number;
        std::istringstream in(s_.substr(start, pos_ - start));
        in >> v.number;
        expect(!in.fail(), "bad number");
        return v;
    }

    const std::string& s_;
    std::string source_;
    size_t pos_ = 0;
};

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

int64_t as_size(const Json& v, const std::string& what, const std::string& source) {
    TT_CHECK(v.kind == Json::Number && v.number >= 0 && v.number == static_cast<double>(static_cast<int64_t>(v.number)),
             "safetensors: bad header in " << source << ": " << what << " must be a non-negative integer");
    return static_cast<int64_t>(v.number);
}

}  // namespace

std::vector<uint8_t> save_safetensors(const StateDict& state) {
    std::ostringstream header;
    header << '{';
    int64_t offset = 0;
    bool first = true;
    for (const auto& [name, t] : state) {  // std::map: sorted by name, like the reference implementation
        TT_CHECK(t.defined(), "save_safetensors: '" << name << "' is an undefined tensor");
        header << (first ? "" : ",") << quoted(name) << ":{\"dtype\":\"F32\",\"shape\":[";
        for (int d = 0; d < t.dim(); ++d) header << (d ? "," : "") << t.shape(d);
        header << "],\"data_offsets\":[" << offset << ',' << offset + t.nbytes() << "]}";
        offset += t.nbytes();
        first = false;
    }
    header << '}';
    std::string h = header.str();
    h.append((8 - h.size() % 8) % 8, ' ');  // pad so the data starts 8-byte aligned
    std::vector<uint8_t> out(8 + h.size() + static_cast<size_t>(offset));
    uint64_t n = h.size();
    for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(n >> (8 * i));
    std::memcpy(out.data() + 8, h.data(), h.size());
    uint8_t* data = out.data() + 8 + h.size();
    for (const auto& [name, t] : state) {
        Tensor c = t.contiguous();
        std::memcpy(data, c.data(), static_cast<size_t>(c.nbytes()));
        data += c.nbytes();
    }
    return out;
}

StateDict load_safetensors(const uint8_t* bytes, size_t size, const std::string& source) {
    TT_CHECK(size >= 8, "safetensors: " << source << " is truncated: " << size
                                        << " bytes, not even the 8-byte header length");
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(bytes[i]) << (8 * i);
    TT_CHECK(n <= size - 8, "safetensors: " << source << " is truncated or not safetensors: the header claims " << n
                                            << " bytes but only " << size - 8 << " follow");
    std::string header(reinterpret_cast<const char*>(bytes + 8), static_cast<size_t>(n));
    const uint8_t* data = bytes + 8 + n;
    const uint64_t data_size = size - 8 - n;

    Json root = JsonParser(header, source).parse_document();
    TT_CHECK(root.kind == Json::Object, "safetensors: bad header in " << source << ": not a JSON object");
    StateDict out;
    for (const auto& [name, entry] : root.members) {
        if (name == "__metadata__") continue;
        TT_CHECK(entry.kind == Json::Object, "safetensors: bad header in " << source << ": '" << name
                                                                           << "' is not an object");
        const Json* dtype = entry.find("dtype");
        const Json* shape = entry.find("shape");
        const Json* offsets = entry.find("data_offsets");
        TT_CHECK(dtype && dtype->kind == Json::String && shape && shape->kind == Json::Array && offsets &&
                     offsets->kind == Json::Array && offsets->items.size() == 2,
                 "safetensors: bad header in " << source << ": '" << name
                                               << "' needs dtype, shape and data_offsets [begin, end]");
        TT_CHECK(dtype->text == "F32", "safetensors: tensor '" << name << "' in " << source << " has dtype "
                                                               << dtype->text << "; only F32 is supported");
        Shape s;
        for (const Json& d : shape->items) s.push_back(as_size(d, "a size of '" + name + "'", source));
        int64_t begin = as_size(offsets->items[0], "data_offsets of '" + name + "'", source);
        int64_t end = as_size(offsets->items[1], "data_offsets of '" + name + "'", source);
        int64_t expected = numel(s) * static_cast<int64_t>(sizeof(float));
        TT_CHECK(end >= begin && end - begin == expected,
                 "safetensors: tensor '" << name << "' in " << source << " has shape " << s << " (" << expected
                                         << " bytes) but data_offsets [" << begin << ", " << end << "]");
        TT_CHECK(static_cast<uint64_t>(end) <= data_size,
                 "safetensors: " << source << " is truncated: tensor '" << name << "' ends at byte " << end
                                 << " of the data, but only " << data_size << " bytes follow the header");
        Tensor t(s);
        std::memcpy(t.data(), data + begin, static_cast<size_t>(expected));
        out[name] = t;
    }
    return out;
}

StateDict load_safetensors(const std::vector<uint8_t>& bytes, const std::string& source) {
    return load_safetensors(bytes.data(), bytes.size(), source);
}

void save_safetensors_file(const StateDict& state, const std::string& path) {
    std::vector<uint8_t> bytes = save_safetensors(state);
    std::ofstream out(path, std::ios::binary);
    TT_CHECK(out, "save_safetensors_file: cannot open '" << path << "' for writing");
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    TT_CHECK(out, "save_safetensors_file: writing '" << path << "' failed");
}

StateDict load_safetensors_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    TT_CHECK(in, "load_safetensors_file: cannot open '" << path << "'");
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return load_safetensors(bytes, path);
}

}  // namespace tt
