// Host test of the firmware codec against vectors.json (the same vectors as the TypeScript codec tests).
//   g++ -std=c++17 -Wall -Wextra -I../apiary_device codec_test.cpp ../apiary_device/improv_codec.cpp -o codec_test
//   ./codec_test vectors.json
// Prints one line per failure and a summary; exits 0 only when every check passed.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "improv_codec.h"

// ---- a minimal JSON reader: enough for vectors.json (objects, arrays, strings, numbers, true/false/null)
struct Json {
  enum Kind { NUL, BOOL, NUM, STR, ARR, OBJ } kind = NUL;
  bool b = false;
  double n = 0;
  std::string s;
  std::vector<Json> a;
  std::map<std::string, Json> o;
  const Json* get(const std::string& key) const {
    auto it = o.find(key);
    return it == o.end() ? nullptr : &it->second;
  }
};

class JsonReader {
 public:
  explicit JsonReader(const std::string& text) : t_(text) {}
  Json parse() {
    Json v = value();
    ws();
    if (i_ != t_.size()) fail("trailing text");
    return v;
  }

 private:
  [[noreturn]] void fail(const char* why) {
    std::fprintf(stderr, "vectors.json: %s at byte %zu\n", why, i_);
    std::exit(2);
  }
  void ws() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\n' || t_[i_] == '\r' || t_[i_] == '\t')) i_++;
  }
  bool lit(const char* word) {
    std::string w(word);
    if (t_.compare(i_, w.size(), w) != 0) return false;
    i_ += w.size();
    return true;
  }
  static void utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  unsigned hex4() {
    if (i_ + 4 > t_.size()) fail("short \\u escape");
    unsigned v = static_cast<unsigned>(std::stoul(t_.substr(i_, 4), nullptr, 16));
    i_ += 4;
    return v;
  }
  std::string str() {
    std::string out;
    i_++;  // opening quote
    while (i_ < t_.size() && t_[i_] != '"') {
      char c = t_[i_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= t_.size()) fail("bad escape");
      char e = t_[i_++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && lit("\\u")) cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4() - 0xDC00);
          utf8(out, cp);
          break;
        }
        default: out += e;
      }
    }
    if (i_ >= t_.size()) fail("unterminated string");
    i_++;
    return out;
  }
  Json value() {
    ws();
    if (i_ >= t_.size()) fail("unexpected end");
    Json v;
    char c = t_[i_];
    if (c == '{') {
      v.kind = Json::OBJ;
      i_++;
      ws();
      if (t_[i_] == '}') return i_++, v;
      for (;;) {
        ws();
        if (t_[i_] != '"') fail("expected a key");
        std::string k = str();
        ws();
        if (t_[i_++] != ':') fail("expected ':'");
        v.o[k] = value();
        ws();
        if (t_[i_] == ',') { i_++; continue; }
        if (t_[i_] == '}') { i_++; return v; }
        fail("expected ',' or '}'");
      }
    }
    if (c == '[') {
      v.kind = Json::ARR;
      i_++;
      ws();
      if (t_[i_] == ']') return i_++, v;
      for (;;) {
        v.a.push_back(value());
        ws();
        if (t_[i_] == ',') { i_++; continue; }
        if (t_[i_] == ']') { i_++; return v; }
        fail("expected ',' or ']'");
      }
    }
    if (c == '"') {
      v.kind = Json::STR;
      v.s = str();
      return v;
    }
    if (lit("true")) { v.kind = Json::BOOL; v.b = true; return v; }
    if (lit("false")) { v.kind = Json::BOOL; return v; }
    if (lit("null")) return v;
    size_t used = 0;
    v.kind = Json::NUM;
    v.n = std::stod(t_.substr(i_, 32), &used);
    if (used == 0) fail("bad value");
    i_ += used;
    return v;
  }
  const std::string& t_;
  size_t i_ = 0;
};

// ---- helpers
static std::vector<uint8_t> unhex(const std::string& h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoul(h.substr(i, 2), nullptr, 16)));
  return out;
}
static std::string tohex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; i++) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

static int failures = 0;
static int checks = 0;
static void check(bool ok, const std::string& name, const std::string& what) {
  checks++;
  if (!ok) {
    failures++;
    std::printf("FAIL %s: %s\n", name.c_str(), what.c_str());
  }
}

static void frameVector(const Json& v) {
  const std::string name = v.get("name")->s;
  const uint8_t type = static_cast<uint8_t>(v.get("type")->n);
  const std::vector<uint8_t> data = unhex(v.get("data")->s);
  const std::string frameHex = v.get("frame")->s;

  uint8_t out[improv::MAX_FRAME];
  size_t n = improv::encodeFrame(type, data.data(), data.size(), out, sizeof out);
  check(tohex(out, n) == frameHex, name, "encodeFrame gives " + tohex(out, n));

  improv::Parser parser;
  int frames = 0;
  for (uint8_t b : unhex(frameHex)) {
    if (parser.push(b) != improv::Parser::FRAME) continue;
    frames++;
    check(parser.type() == type, name, "parsed type");
    check(tohex(parser.data(), parser.length()) == v.get("data")->s, name, "parsed data");
  }
  check(frames == 1, name, "parser yields exactly one frame");

  if (const Json* rpc = v.get("rpc")) {
    improv::Rpc decoded;
    check(improv::decodeRpc(data.data(), data.size(), decoded), name, "decodeRpc");
    const Json& strings = *rpc->get("strings");
    check(decoded.command == static_cast<uint8_t>(rpc->get("command")->n), name, "rpc command");
    check(decoded.strings.count == strings.a.size(), name, "rpc string count");
    std::vector<const char*> ptrs;
    for (size_t i = 0; i < strings.a.size() && i < decoded.strings.count; i++) {
      std::string got(decoded.strings.ptr[i], decoded.strings.len[i]);
      check(got == strings.a[i].s, name, "rpc string " + std::to_string(i));
      ptrs.push_back(strings.a[i].s.c_str());
    }
    uint8_t enc[255];
    size_t m = improv::encodeRpcData(decoded.command, ptrs.data(), ptrs.size(), enc, sizeof enc);
    check(tohex(enc, m) == v.get("data")->s, name, "encodeRpcData gives " + tohex(enc, m));
  }
}

static void streamVector(const Json& v) {
  const std::string name = v.get("name")->s;
  improv::Parser parser;
  std::vector<std::string> frames;
  int invalid = 0;
  for (const Json& chunk : v.get("chunks")->a) {
    for (uint8_t b : unhex(chunk.s)) {
      improv::Parser::Event e = parser.push(b);
      if (e == improv::Parser::INVALID) invalid++;
      if (e == improv::Parser::FRAME) {
        frames.push_back(std::to_string(parser.type()) + ":" + tohex(parser.data(), parser.length()));
      }
    }
  }
  std::vector<std::string> expected;
  for (const Json& f : v.get("frames")->a) expected.push_back(std::to_string(static_cast<int>(f.get("type")->n)) + ":" + f.get("data")->s);
  std::string got;
  for (auto& f : frames) got += f + " ";
  check(frames == expected, name, "frames " + got);
  check(invalid == static_cast<int>(v.get("invalid")->n), name, "invalid count " + std::to_string(invalid));
}

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "vectors.json";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path);
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  const std::string body = text.str();
  Json root = JsonReader(body).parse();
  for (const Json& v : root.get("frames")->a) frameVector(v);
  for (const Json& v : root.get("streams")->a) streamVector(v);

  // limits: an oversized string does not fit in a frame
  std::string big(256, 'x');
  const char* tooLong[] = {big.c_str()};
  uint8_t out[improv::MAX_FRAME];
  check(improv::encodeRpcResult(0x03, tooLong, 1, out, sizeof out) == 0, "limits", "a 256-byte string is refused");

  std::printf("%d checks, %d failed (%zu frame vectors, %zu stream vectors)\n", checks, failures,
              root.get("frames")->a.size(), root.get("streams")->a.size());
  return failures == 0 ? 0 : 1;
}
