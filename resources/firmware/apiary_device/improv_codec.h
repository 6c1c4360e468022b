// Improv Wi-Fi serial framing for the device side, plain C++ (no Arduino headers) so the host can
// compile and test it with g++ against resources/firmware/test/vectors.json — the same vectors as the
// app's TypeScript codec. Frame: "IMPROV" 0x01 type length data… checksum '\n'; checksum = low byte of
// the sum of every byte before it.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace improv {

enum FrameType : uint8_t { TYPE_STATE = 0x01, TYPE_ERROR = 0x02, TYPE_RPC = 0x03, TYPE_RPC_RESULT = 0x04 };

enum State : uint8_t { STATE_STOPPED = 0x00, STATE_READY = 0x02, STATE_PROVISIONING = 0x03, STATE_PROVISIONED = 0x04 };

enum Error : uint8_t {
  ERROR_NONE = 0x00,
  ERROR_INVALID_RPC = 0x01,
  ERROR_UNKNOWN_RPC = 0x02,
  ERROR_UNABLE_TO_CONNECT = 0x03,
  ERROR_BAD_HOSTNAME = 0x05,
  ERROR_UNKNOWN = 0xFF,
};

enum Command : uint8_t {
  CMD_SEND_WIFI = 0x01,
  CMD_REQUEST_STATE = 0x02,
  CMD_DEVICE_INFO = 0x03,
  CMD_SCAN_NETWORKS = 0x04,
  CMD_HOSTNAME = 0x05,
  CMD_DEVICE_NAME = 0x06,
  // Apiary extension
  CMD_SET_MQTT = 0x80,  // host, port, tls "0"/"1", username, password, client_id, topic
  CMD_GET_MQTT = 0x81,  // → host, port, tls, username (masked), client_id, topic, state
};

// header (6) + version + type + length + 255 data bytes + checksum + '\n'
constexpr size_t MAX_FRAME = 6 + 3 + 255 + 2;
constexpr size_t MAX_STRINGS = 8;

uint8_t checksum(const uint8_t* bytes, size_t len);

// Writes a complete frame (with checksum and '\n') into out; returns its size, or 0 if it does not fit.
size_t encodeFrame(uint8_t type, const uint8_t* data, size_t len, uint8_t* out, size_t cap);

// Views into a buffer: no copies, valid as long as the buffer is.
struct Strings {
  size_t count = 0;
  const char* ptr[MAX_STRINGS] = {};
  uint8_t len[MAX_STRINGS] = {};
};

// Reads [len][bytes]… to the end; false if a length runs past it or there are more than MAX_STRINGS.
bool decodeStrings(const uint8_t* bytes, size_t len, Strings& out);

struct Rpc {
  uint8_t command = 0;
  Strings strings;
};

// RPC command data (and RPC result data) are [command][len] + strings.
bool decodeRpc(const uint8_t* data, size_t len, Rpc& out);

// [command][len] + strings; returns the size, or 0 if it does not fit in cap (or in a frame).
size_t encodeRpcData(uint8_t command, const char* const* strings, size_t count, uint8_t* out, size_t cap);

// A complete RPC result frame; returns its size, or 0 if it does not fit.
size_t encodeRpcResult(uint8_t command, const char* const* strings, size_t count, uint8_t* out, size_t cap);

// Byte-at-a-time frame parser with the same rules as the app's: a frame starts a line, or follows
// "IMPROV"+0x01 anywhere; other text is skipped to its newline; frames are length-delimited, so '\n'
// bytes inside them are fine; a new header inside an unfinished frame abandons it. Fixed memory.
class Parser {
 public:
  enum Event { NONE, FRAME, INVALID };

  // Feed one byte. FRAME: type()/data()/length() describe the frame until the next push().
  Event push(uint8_t b);
  void reset();

  uint8_t type() const { return buf_[7]; }
  const uint8_t* data() const { return buf_ + 9; }
  uint8_t length() const { return buf_[8]; }

 private:
  enum Mode { LINE_START, IN_FRAME, SKIP };
  Event frameByte(uint8_t b);
  bool trackHeader(uint8_t b);
  void startAfterHeader();

  Mode mode_ = LINE_START;
  uint8_t buf_[MAX_FRAME] = {};
  size_t len_ = 0;
  size_t match_ = 0;  // bytes of "IMPROV"+0x01 seen at the end of the input
};

}  // namespace improv
