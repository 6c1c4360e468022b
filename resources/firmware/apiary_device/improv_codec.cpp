// See improv_codec.h. Written to match electron/core/pairing/improv-codec.ts rule for rule.
#include "improv_codec.h"

#include <string.h>

namespace improv {

namespace {
const uint8_t HEADER[6] = {'I', 'M', 'P', 'R', 'O', 'V'};
const uint8_t VERSION = 0x01;
const size_t PREFIX = 9;  // header + version + type + length
}  // namespace

uint8_t checksum(const uint8_t* bytes, size_t len) {
  uint8_t sum = 0;
  for (size_t i = 0; i < len; i++) sum = static_cast<uint8_t>(sum + bytes[i]);
  return sum;
}

size_t encodeFrame(uint8_t type, const uint8_t* data, size_t len, uint8_t* out, size_t cap) {
  if (len > 255 || cap < PREFIX + len + 2) return 0;
  memcpy(out, HEADER, sizeof HEADER);
  out[6] = VERSION;
  out[7] = type;
  out[8] = static_cast<uint8_t>(len);
  if (len > 0) memcpy(out + PREFIX, data, len);
  out[PREFIX + len] = checksum(out, PREFIX + len);
  out[PREFIX + len + 1] = '\n';
  return PREFIX + len + 2;
}

bool decodeStrings(const uint8_t* bytes, size_t len, Strings& out) {
  out.count = 0;
  size_t at = 0;
  while (at < len) {
    size_t n = bytes[at];
    if (at + 1 + n > len || out.count == MAX_STRINGS) return false;
    out.ptr[out.count] = reinterpret_cast<const char*>(bytes + at + 1);
    out.len[out.count] = static_cast<uint8_t>(n);
    out.count++;
    at += 1 + n;
  }
  return true;
}

bool decodeRpc(const uint8_t* data, size_t len, Rpc& out) {
  if (len < 2) return false;
  size_t n = data[1];
  if (2 + n > len) return false;
  out.command = data[0];
  return decodeStrings(data + 2, n, out.strings);
}

size_t encodeRpcData(uint8_t command, const char* const* strings, size_t count, uint8_t* out, size_t cap) {
  size_t at = 2;
  for (size_t i = 0; i < count; i++) {
    size_t n = strlen(strings[i]);
    if (n > 255 || at + 1 + n > cap || at + 1 + n > 255) return 0;
    out[at] = static_cast<uint8_t>(n);
    memcpy(out + at + 1, strings[i], n);
    at += 1 + n;
  }
  if (cap < 2) return 0;
  out[0] = command;
  out[1] = static_cast<uint8_t>(at - 2);
  return at;
}

size_t encodeRpcResult(uint8_t command, const char* const* strings, size_t count, uint8_t* out, size_t cap) {
  uint8_t data[255];
  size_t n = encodeRpcData(command, strings, count, data, sizeof data);
  if (n == 0) return 0;
  return encodeFrame(TYPE_RPC_RESULT, data, n, out, cap);
}

void Parser::reset() {
  mode_ = LINE_START;
  len_ = 0;
  match_ = 0;
}

bool Parser::trackHeader(uint8_t b) {
  uint8_t expected = match_ < sizeof HEADER ? HEADER[match_] : VERSION;
  if (b == expected) {
    if (++match_ == sizeof HEADER + 1) {
      match_ = 0;
      return true;
    }
    return false;
  }
  // "IMPROV" repeats no prefix of itself: only a fresh 'I' restarts the match
  match_ = (b == HEADER[0]) ? 1 : 0;
  return false;
}

void Parser::startAfterHeader() {
  memcpy(buf_, HEADER, sizeof HEADER);
  buf_[6] = VERSION;
  len_ = 7;
  match_ = 0;
  mode_ = IN_FRAME;
}

Parser::Event Parser::push(uint8_t b) {
  switch (mode_) {
    case LINE_START:
      if (b == HEADER[0]) {
        buf_[0] = b;
        len_ = 1;
        match_ = 0;
        mode_ = IN_FRAME;
      } else if (b != '\n') {
        mode_ = SKIP;
        match_ = 0;
        trackHeader(b);
      }
      return NONE;
    case IN_FRAME:
      return frameByte(b);
    case SKIP:
      if (b == '\n') {
        mode_ = LINE_START;
        return NONE;
      }
      if (trackHeader(b)) startAfterHeader();
      return NONE;
  }
  return NONE;
}

Parser::Event Parser::frameByte(uint8_t b) {
  if (len_ < sizeof HEADER && b != HEADER[len_]) {
    // not a frame: the bytes so far begin a text line
    mode_ = SKIP;
    match_ = 0;
    if (b == '\n') {
      mode_ = LINE_START;
      return NONE;
    }
    trackHeader(b);
    return NONE;
  }
  if (len_ >= sizeof HEADER && trackHeader(b)) {
    startAfterHeader();
    return INVALID;  // a new header inside an unfinished frame: that frame was cut short
  }
  buf_[len_++] = b;
  if (len_ == sizeof HEADER + 1 && b != VERSION) {
    len_ = 0;
    mode_ = SKIP;
    return INVALID;
  }
  if (len_ < PREFIX) return NONE;
  size_t total = PREFIX + buf_[8] + 1;
  if (len_ < total) return NONE;
  if (checksum(buf_, total - 1) != buf_[total - 1]) {
    len_ = 0;
    mode_ = SKIP;  // the header match carries on: the next frame may have begun in these bytes
    return INVALID;
  }
  mode_ = LINE_START;
  return FRAME;
}

}  // namespace improv
