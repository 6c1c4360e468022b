// Apiary device firmware for ESP32 and ESP8266: Improv Wi-Fi over serial, plus the Apiary extension
// (RPC 0x80 set MQTT, 0x81 get MQTT) so the Apiary app can hand over Beebotte credentials on the same
// cable. Once provisioned it connects to Beebotte with PubSubClient (TLS on 8883 against the Beebotte CA)
// and publishes {"data": <reading>} to channel/resource every PUBLISH_MS.
// Libraries: PubSubClient (Nick O'Leary). Board cores: esp32 (Espressif) or esp8266 (ESP8266 Community).
// See ../README.md. The frame codec (improv_codec.*) is plain C++ and unit-tested on the host.

#include <Arduino.h>
#include <PubSubClient.h>
#include <WiFiClient.h>
#include <WiFiClientSecure.h>
#include <string.h>
#include <time.h>

#if defined(ESP32)
#include <Preferences.h>
#include <WiFi.h>
#elif defined(ESP8266)
#include <EEPROM.h>
#include <ESP8266WiFi.h>
#else
#error "Apiary firmware supports ESP32 and ESP8266 boards"
#endif

#include "beebotte_ca.h"
#include "improv_codec.h"

static const char* FIRMWARE_NAME = "Apiary";
static const char* FIRMWARE_VERSION = "1.0.0";
static const unsigned long WIFI_TIMEOUT_MS = 30000;  // Improv hosts wait ~45 s; answer before them
static const unsigned long MQTT_TIMEOUT_MS = 30000;  // the 0x80 contract: answer within 30 s
static const unsigned long PUBLISH_MS = 10000;
static const uint32_t CONFIG_MAGIC = 0x41504931;  // "API1"

// ---- stored settings (Wi-Fi credentials are kept by the Wi-Fi stack itself)
struct Config {
  uint32_t magic;
  char deviceName[33];
  char host[65];
  uint16_t port;
  uint8_t tls;
  char username[129];  // Beebotte puts the token here: a secret, never printed
  char password[65];
  char clientId[65];
  char topic[130];  // channel/resource
};
static Config config;

static void loadConfig() {
#if defined(ESP32)
  Preferences prefs;
  prefs.begin("apiary", true);
  size_t n = prefs.getBytes("config", &config, sizeof config);
  prefs.end();
  if (n != sizeof config) config.magic = 0;
#else
  EEPROM.begin(sizeof config);
  EEPROM.get(0, config);
#endif
  if (config.magic != CONFIG_MAGIC) {
    memset(&config, 0, sizeof config);
    config.magic = CONFIG_MAGIC;
    strncpy(config.deviceName, "Apiary device", sizeof config.deviceName - 1);
  }
}

static void saveConfig() {
#if defined(ESP32)
  Preferences prefs;
  prefs.begin("apiary", false);
  prefs.putBytes("config", &config, sizeof config);
  prefs.end();
#else
  EEPROM.put(0, config);
  EEPROM.commit();
#endif
}

// ---- serial side: one write() per frame, as hosts expect
static improv::Parser parser;
static uint8_t state = improv::STATE_READY;

static void sendFrame(uint8_t type, const uint8_t* data, size_t len) {
  uint8_t out[improv::MAX_FRAME];
  size_t n = improv::encodeFrame(type, data, len, out, sizeof out);
  if (n) Serial.write(out, n);
}
static void sendState(uint8_t s) {
  state = s;
  sendFrame(improv::TYPE_STATE, &s, 1);
}
static void sendError(uint8_t e) { sendFrame(improv::TYPE_ERROR, &e, 1); }
static void sendResult(uint8_t command, const char* const* strings, size_t count) {
  uint8_t out[improv::MAX_FRAME];
  size_t n = improv::encodeRpcResult(command, strings, count, out, sizeof out);
  if (n) Serial.write(out, n);
  else sendError(improv::ERROR_UNKNOWN);
}

// copies an RPC string into a fixed field; false if it does not fit
static bool take(const improv::Strings& s, size_t i, char* field, size_t size) {
  if (i >= s.count || s.len[i] >= size) return false;
  memcpy(field, s.ptr[i], s.len[i]);
  field[s.len[i]] = '\0';
  return true;
}

static String redirectUrl() { return String("http://") + WiFi.localIP().toString() + "/"; }

static const char* chipName() {
#if defined(ESP32)
  return ESP.getChipModel();
#else
  return "ESP8266";
#endif
}

// ---- Wi-Fi provisioning, non-blocking: 0x01 starts it, loop() finishes it
static bool joining = false;
static unsigned long joinStarted = 0;

static void startJoin(const improv::Strings& s) {
  char ssid[33];
  char pass[65];
  if (!take(s, 0, ssid, sizeof ssid) || !take(s, 1, pass, sizeof pass)) return sendError(improv::ERROR_INVALID_RPC);
  sendError(improv::ERROR_NONE);
  sendState(improv::STATE_PROVISIONING);
  WiFi.persistent(true);
  WiFi.mode(WIFI_STA);
  WiFi.begin(ssid, pass);
  joining = true;
  joinStarted = millis();
}

static void checkJoin() {
  if (!joining) return;
  if (WiFi.status() == WL_CONNECTED) {
    joining = false;
    sendState(improv::STATE_PROVISIONED);
    String url = redirectUrl();
    const char* strings[] = {url.c_str()};
    sendResult(improv::CMD_SEND_WIFI, strings, 1);
  } else if (millis() - joinStarted > WIFI_TIMEOUT_MS) {
    joining = false;
    WiFi.disconnect();
    sendError(improv::ERROR_UNABLE_TO_CONNECT);
    sendState(improv::STATE_READY);
  }
}

// ---- MQTT
static WiFiClient plainClient;
static WiFiClientSecure secureClient;
#if defined(ESP8266)
static BearSSL::X509List trustAnchors(BEEBOTTE_CA_PEM);
#endif
static PubSubClient mqtt;
static bool mqttAnswerPending = false;  // a 0x80 waits for "connected" or the timeout
static unsigned long mqttStarted = 0;
static unsigned long lastAttempt = 0;
static unsigned long lastPublish = 0;
static bool mqttFailed = false;

static void configureMqtt() {
  if (config.tls) {
#if defined(ESP32)
    secureClient.setCACert(BEEBOTTE_CA_PEM);
#else
    secureClient.setTrustAnchors(&trustAnchors);
    // certificate dates need the clock: ask NTP once (validation waits for it in connectMqtt)
    configTime(0, 0, "pool.ntp.org", "time.nist.gov");
#endif
    mqtt.setClient(secureClient);
  } else {
    mqtt.setClient(plainClient);
  }
  mqtt.setServer(config.host, config.port);
}

static bool connectMqtt() {
  if (config.host[0] == '\0' || WiFi.status() != WL_CONNECTED) return false;
#if defined(ESP8266)
  if (config.tls && time(nullptr) < 1700000000) return false;  // no clock yet: TLS would fail
#endif
  // Beebotte: the credential is the user name, the password is blank
  const char* pass = config.password[0] ? config.password : nullptr;
  return mqtt.connect(config.clientId, config.username, pass);
}

static void startMqtt(const improv::Strings& s) {
  Config next = config;
  char port[8];
  char tls[4];
  if (s.count < 7 || !take(s, 0, next.host, sizeof next.host) || !take(s, 1, port, sizeof port) ||
      !take(s, 2, tls, sizeof tls) || !take(s, 3, next.username, sizeof next.username) ||
      !take(s, 4, next.password, sizeof next.password) || !take(s, 5, next.clientId, sizeof next.clientId) ||
      !take(s, 6, next.topic, sizeof next.topic)) {
    return sendError(improv::ERROR_INVALID_RPC);
  }
  if (WiFi.status() != WL_CONNECTED) return sendError(improv::ERROR_UNABLE_TO_CONNECT);
  next.port = static_cast<uint16_t>(atoi(port));
  next.tls = tls[0] == '1';
  config = next;
  saveConfig();
  mqtt.disconnect();
  configureMqtt();
  mqttAnswerPending = true;
  mqttFailed = false;
  mqttStarted = millis();
  lastAttempt = 0;
}

static void getMqtt() {
  // the user name holds the token: show only its first characters
  char masked[16] = "";
  if (config.username[0]) snprintf(masked, sizeof masked, "%.6s...", config.username);
  char port[8];
  snprintf(port, sizeof port, "%u", config.port);
  const char* st = config.host[0] == '\0' ? "unset" : mqtt.connected() ? "connected" : mqttFailed ? "failed" : "connecting";
  const char* strings[] = {config.host, port, config.tls ? "1" : "0", masked, config.clientId, config.topic, st};
  sendResult(improv::CMD_GET_MQTT, strings, 7);
}

static void serviceMqtt() {
  if (config.host[0] == '\0') return;
  if (!mqtt.connected()) {
    if (millis() - lastAttempt > 3000 || lastAttempt == 0) {
      lastAttempt = millis();
      if (connectMqtt()) {
        mqttFailed = false;
        if (mqttAnswerPending) {
          mqttAnswerPending = false;
          const char* strings[] = {config.clientId};
          sendResult(improv::CMD_SET_MQTT, strings, 1);
        }
      }
    }
    if (mqttAnswerPending && millis() - mqttStarted > MQTT_TIMEOUT_MS) {
      mqttAnswerPending = false;
      mqttFailed = true;
      sendError(improv::ERROR_UNABLE_TO_CONNECT);
    }
    return;
  }
  mqtt.loop();
  if (millis() - lastPublish >= PUBLISH_MS) {
    lastPublish = millis();
#if defined(ESP32)
    float reading = temperatureRead();  // the chip's own sensor: replace with yours
#else
    float reading = analogRead(A0);
#endif
    char payload[48];
    snprintf(payload, sizeof payload, "{\"data\":%.1f}", reading);
    mqtt.publish(config.topic, payload);
  }
}

// ---- RPC dispatch
static void handleRpc(const uint8_t* data, size_t len) {
  improv::Rpc rpc;
  if (!improv::decodeRpc(data, len, rpc)) return sendError(improv::ERROR_INVALID_RPC);
  const improv::Strings& s = rpc.strings;
  switch (rpc.command) {
    case improv::CMD_SEND_WIFI:
      return startJoin(s);
    case improv::CMD_REQUEST_STATE: {
      sendState(state);
      if (state == improv::STATE_PROVISIONED) {
        String url = redirectUrl();
        const char* strings[] = {url.c_str()};
        sendResult(improv::CMD_REQUEST_STATE, strings, 1);
      }
      return;
    }
    case improv::CMD_DEVICE_INFO: {
      const char* strings[] = {FIRMWARE_NAME, FIRMWARE_VERSION, chipName(), config.deviceName};
      return sendResult(improv::CMD_DEVICE_INFO, strings, 4);
    }
    case improv::CMD_SCAN_NETWORKS: {
      int n = WiFi.scanNetworks();
      for (int i = 0; i < n; i++) {
        String ssid = WiFi.SSID(i);
        String rssi = String(WiFi.RSSI(i));
#if defined(ESP32)
        bool open = WiFi.encryptionType(i) == WIFI_AUTH_OPEN;
#else
        bool open = WiFi.encryptionType(i) == ENC_TYPE_NONE;
#endif
        const char* strings[] = {ssid.c_str(), rssi.c_str(), open ? "NO" : "YES"};
        sendResult(improv::CMD_SCAN_NETWORKS, strings, 3);
      }
      WiFi.scanDelete();
      return sendResult(improv::CMD_SCAN_NETWORKS, nullptr, 0);
    }
    case improv::CMD_HOSTNAME: {
      if (s.count > 0) {
        char name[33];
        if (!take(s, 0, name, sizeof name)) return sendError(improv::ERROR_BAD_HOSTNAME);
        for (const char* c = name; *c; c++) {
          if (!isalnum(static_cast<unsigned char>(*c)) && *c != '-') return sendError(improv::ERROR_BAD_HOSTNAME);
        }
        WiFi.setHostname(name);
      }
      String host = WiFi.getHostname();
      const char* strings[] = {host.c_str()};
      return sendResult(improv::CMD_HOSTNAME, strings, 1);
    }
    case improv::CMD_DEVICE_NAME: {
      if (s.count > 0) {
        if (!take(s, 0, config.deviceName, sizeof config.deviceName)) return sendError(improv::ERROR_INVALID_RPC);
        saveConfig();
      }
      const char* strings[] = {config.deviceName};
      return sendResult(improv::CMD_DEVICE_NAME, strings, 1);
    }
    case improv::CMD_SET_MQTT:
      return startMqtt(s);
    case improv::CMD_GET_MQTT:
      return getMqtt();
    default:
      return sendError(improv::ERROR_UNKNOWN_RPC);
  }
}

void setup() {
  Serial.begin(115200);
  loadConfig();
  WiFi.mode(WIFI_STA);
  WiFi.begin();  // the network stored by the last provisioning, if any
  mqtt.setBufferSize(512);
  if (config.host[0]) configureMqtt();
  Serial.println();
  Serial.printf("[I][apiary]: %s %s on %s\r\n", FIRMWARE_NAME, FIRMWARE_VERSION, chipName());
}

void loop() {
  // bounded: at most one serial buffer's worth of bytes per loop, so Wi-Fi and MQTT keep running
  for (int i = 0; i < 256 && Serial.available() > 0; i++) {
    improv::Parser::Event e = parser.push(static_cast<uint8_t>(Serial.read()));
    if (e == improv::Parser::INVALID) sendError(improv::ERROR_INVALID_RPC);
    if (e == improv::Parser::FRAME && parser.type() == improv::TYPE_RPC) handleRpc(parser.data(), parser.length());
  }
  if (!joining && state != improv::STATE_PROVISIONING) {
    uint8_t now = WiFi.status() == WL_CONNECTED ? improv::STATE_PROVISIONED : improv::STATE_READY;
    if (now != state) state = now;  // reported on the next "request state"
  }
  checkJoin();
  serviceMqtt();
}
