// The engine's JSON helper (engine/core/json.h): the writer's escaping, the strict parser and its error messages.
// Not a lesson's check: the helper serves safetensors (05), model cards, `tt grade` and the check runner.
#include <cmath>
#include <limits>
#include <string>

#include "json.h"
#include "testing.h"

using tt::Json;
using tt::json_quote;
using tt::parse_json;

TEST_CASE("json: json_quote escapes quotes, backslashes and control characters") {
    CHECK(json_quote("") == "\"\"");
    CHECK(json_quote("say \"hi\"") == "\"say \\\"hi\\\"\"");
    CHECK(json_quote("C:\\tmp") == "\"C:\\\\tmp\"");
    CHECK(json_quote("a\nb\tc\rd\be\ff") == "\"a\\nb\\tc\\rd\\be\\ff\"");
    CHECK(json_quote(std::string("\x01\x1b\x1f\x7f", 4)) == "\"\\u0001\\u001b\\u001f\\u007f\"");
    CHECK(json_quote(std::string("nul\0byte", 8)) == "\"nul\\u0000byte\"");
    CHECK(json_quote("/ and ' stay") == "\"/ and ' stay\"");
}

TEST_CASE("json: valid UTF-8 passes through, invalid bytes become U+FFFD") {
    const std::string text = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";  // café € 😀 (2-, 3- and 4-byte forms)
    CHECK(json_quote(text) == "\"" + text + "\"");
    const std::string bad = "\xEF\xBF\xBD";
    CHECK(json_quote("a\xFF"
                     "b") == "\"a" + bad + "b\"");                                 // never a UTF-8 byte
    CHECK(json_quote("\xC0\x80") == "\"" + bad + bad + "\"");                      // overlong NUL
    CHECK(json_quote("\xE2\x82") == "\"" + bad + bad + "\"");                      // cut short
    CHECK(json_quote("\xED\xA0\x80") == "\"" + bad + bad + bad + "\"");            // a UTF-16 surrogate, U+D800
    CHECK(json_quote("\xF4\x90\x80\x80") == "\"" + bad + bad + bad + bad + "\"");  // above U+10FFFF
}

TEST_CASE("json: every string survives json_quote then parse_json") {
    std::string all;
    for (int c = 1; c < 128; ++c) all += static_cast<char>(c);
    all += "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
    all += std::string(1, '\0') + "end";
    CHECK(parse_json(json_quote(all), "t").as_string() == all);
    CHECK(parse_json(Json(all).dump(), "t").as_string() == all);
}

TEST_CASE("json: the parser decodes every escape, surrogate pairs included") {
    CHECK(parse_json(R"("\" \\ \/ \b \f \n \r \t")", "t").as_string() == "\" \\ / \b \f \n \r \t");
    CHECK(parse_json(R"("\u00e9\u20AC\uD83D\uDE00")", "t").as_string() == "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    CHECK(parse_json(R"("\u0041\u0000")", "t").as_string() == std::string("A\0", 2));
}

TEST_CASE("json: nested objects and arrays, in order, with every kind of value") {
    const Json v =
        parse_json(R"( {"b": [1, 2.5, -3e2, {"x": null}], "a": {"t": true, "f": false, "s": "hi"}, "e": []} )", "t");
    REQUIRE(v.is_object());
    REQUIRE(v.members().size() == 3);
    CHECK(v.members()[0].first == "b");  // insertion order, not sorted
    CHECK(v.members()[1].first == "a");
    const Json& b = *v.find("b");
    REQUIRE(b.items().size() == 4);
    CHECK(b.items()[0].as_number() == 1.0);
    CHECK(b.items()[1].as_number() == 2.5);
    CHECK(b.items()[2].as_number() == -300.0);
    CHECK(b.items()[3].find("x")->is_null());
    CHECK(v.find("a")->find("t")->as_bool() == true);
    CHECK(v.find("a")->find("f")->as_bool() == false);
    CHECK(v.find("a")->find("s")->as_string() == "hi");
    CHECK(v.find("e")->items().empty());
    CHECK(v.find("missing") == nullptr);
    // Written back compactly, numbers with the digits they were read with.
    CHECK(v.dump() == R"({"b":[1,2.5,-3e2,{"x":null}],"a":{"t":true,"f":false,"s":"hi"},"e":[]})");
}

TEST_CASE("json: building values; set replaces a key in place; pretty printing keeps flat containers on a line") {
    Json card = Json::object();
    card.set("name", "mnist-mlp").set("classes", Json::array({"0", "1"})).set("shape", Json::array());
    card.set("data", Json::object().set("n", 3).set("ok", true).set("none", nullptr));
    card.set("name", "xor-mlp");
    Json list = Json::array();
    list.push_back(Json::object().set("k", 1)).push_back(Json::array({1, Json::array({2})}));
    card.set("list", list);
    CHECK(card.dump() ==
          R"({"name":"xor-mlp","classes":["0","1"],"shape":[],"data":{"n":3,"ok":true,"none":null},)"
          R"("list":[{"k":1},[1,[2]]]})");
    CHECK(card.dump(2) ==
          "{\n"
          "  \"name\": \"xor-mlp\",\n"
          "  \"classes\": [\"0\", \"1\"],\n"
          "  \"shape\": [],\n"
          "  \"data\": {\"n\": 3, \"ok\": true, \"none\": null},\n"
          "  \"list\": [\n"
          "    {\"k\": 1},\n"
          "    [\n"
          "      1,\n"
          "      [2]\n"
          "    ]\n"
          "  ]\n"
          "}");
    CHECK(parse_json(card.dump(2), "t").dump() == card.dump());
}

TEST_CASE("json: numbers are written exactly and as short as they read back") {
    CHECK(Json(0).dump() == "0");
    CHECK(Json(-42).dump() == "-42");
    CHECK(Json(std::numeric_limits<int64_t>::max()).dump() == "9223372036854775807");
    CHECK(Json(std::numeric_limits<uint64_t>::max()).dump() == "18446744073709551615");
    CHECK(Json(0.1).dump() == "0.1");
    CHECK(Json(2.5).dump() == "2.5");
    CHECK(Json(3.0).dump() == "3");
    CHECK(Json(1e-7).dump() == "1e-07");
    CHECK(Json(1.0 / 3.0).dump() == "0.3333333333333333");
    CHECK(Json(0.05f).dump() == "0.05");  // the float's shortest form, not the double's 0.05000000074505806
    CHECK(Json(1e-4f).dump() == "0.0001");
    CHECK(parse_json(Json(1.0 / 3.0).dump(), "t").as_number() == 1.0 / 3.0);
    CHECK(parse_json("-0.5e-3", "t").as_number() == -0.0005);
    CHECK(parse_json("1.50", "t").dump() == "1.50");
}

TEST_CASE("json: bad input is an error naming the source, what was wrong and where" * TT_NEEDS_EXCEPTIONS) {
#if TT_HAS_EXCEPTIONS
    const auto error = [](const std::string& text) {
        try {
            parse_json(text, "t.json");
        } catch (const tt::Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(error(R"({"a" 1})") == "t.json: expected ':' at byte 5");
    CHECK(error("") == "t.json: unexpected end of the text at byte 0");
    CHECK(error("[1, 2,]") == "t.json: expected a JSON value at byte 6");
    CHECK(error(R"({"a":1,})") == "t.json: expected a quoted key at byte 7");
    CHECK(error(R"({"a":1 "b":2})") == "t.json: expected ',' or '}' at byte 7");
    CHECK(error("[1 2]") == "t.json: expected ',' or ']' at byte 3");
    CHECK(error("[1] 2") == "t.json: unexpected text after the value at byte 4");
    CHECK(error("tru") == "t.json: expected a JSON value at byte 0");
    CHECK(error("{'a': 1}") == "t.json: expected a quoted key at byte 1");
    CHECK(error("[01]") == "t.json: a number may not start with 0 at byte 2");
    CHECK(error("[-]") == "t.json: expected a digit at byte 2");
    CHECK(error("1.") == "t.json: expected a digit after '.' at byte 2");
    CHECK(error("1e+") == "t.json: expected a digit in the exponent at byte 3");
    CHECK(error("[1e999]") == "t.json: number out of range at byte 1");
    CHECK(error(R"("abc)") == "t.json: unterminated string at byte 4");
    CHECK(error("\"a\x01\"") ==
          "t.json: control character in a string (write it as an escape, \\n or \\u00XX) at byte 2");
    CHECK(error("\"\xFF\"") == "t.json: invalid UTF-8 in a string at byte 1");
    CHECK(error(R"("\q")") == "t.json: unknown escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX) at byte 2");
    CHECK(error(R"("\u12G4")") == "t.json: expected 4 hex digits after \\u at byte 5");
    CHECK(error(R"("\uD83D")") ==
          "t.json: a high surrogate \\uD800-\\uDBFF must be followed by a \\u low surrogate at byte 7");
    CHECK(error(R"("\uDE00")") == "t.json: a low surrogate without a high one at byte 7");
    CHECK(error(R"({"a":1,"a":2})") == "t.json: duplicate key \"a\" at byte 7");
    CHECK(error(std::string(40, '[') + std::string(40, ']')) == "t.json: nesting too deep at byte 32");
    // A text of several lines: the line and column too (both from 1).
    CHECK(error("{\n  \"a\": x\n}") == "t.json: expected a JSON value at byte 9 (line 2, column 8)");
#endif
}

TEST_CASE("json: asking a value for the wrong kind, or writing NaN, is an error") {
    TT_CHECK_ERROR(Json(1).as_string(), "json: expected a string, got a number");
    TT_CHECK_ERROR(Json("x").items(), "json: expected an array, got a string");
    TT_CHECK_ERROR(Json().find("k"), "json: expected an object, got null");
    TT_CHECK_ERROR(Json::array().set("k", 1), "json: expected an object, got an array");
    TT_CHECK_ERROR_CONTAINS(static_cast<void>(Json(std::nan(""))), "");
    TT_CHECK_ERROR_CONTAINS(static_cast<void>(Json(std::numeric_limits<float>::infinity())), "");
}
