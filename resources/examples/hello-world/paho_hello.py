"""Beebotte Hello World with Eclipse Paho (paho-mqtt 1.x or 2.x).

Connects with username "token:<channel token>" and a blank password, subscribes to channel/resource,
publishes {"data": "Hello World", "write": true} there, prints the message that comes back and exits 0.
Settings come from the command line or the environment (BBT_HOST, BBT_PORT, BBT_TOKEN, BBT_CA, BBT_TOPIC);
a CA file switches TLS on.
"""
import argparse
import json
import os
import sys
import threading

import paho.mqtt.client as mqtt

parser = argparse.ArgumentParser()
parser.add_argument("--host", default=os.environ.get("BBT_HOST", "mqtt.beebotte.com"))
parser.add_argument("--port", type=int, default=int(os.environ.get("BBT_PORT", "1883")))
parser.add_argument("--token", default=os.environ.get("BBT_TOKEN"), help="the channel token")
parser.add_argument("--ca", default=os.environ.get("BBT_CA"), help="CA file: use TLS (port 8883)")
parser.add_argument("--topic", default=os.environ.get("BBT_TOPIC", "hello/world"), help="channel/resource")
args = parser.parse_args()
if not args.token:
    sys.exit("give the channel token: --token TOKEN or BBT_TOKEN=TOKEN")

received = threading.Event()


def on_connect(client, userdata, flags, rc, properties=None):
    if rc != 0:
        print("connection refused:", mqtt.connack_string(rc) if isinstance(rc, int) else rc, file=sys.stderr)
        os._exit(1)
    client.subscribe(args.topic, qos=1)


def on_subscribe(client, userdata, mid, granted, properties=None):
    client.publish(args.topic, json.dumps({"data": "Hello World", "write": True}), qos=1)


def on_message(client, userdata, msg):
    print(msg.topic, msg.payload.decode())
    received.set()


try:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)  # paho-mqtt 2.x
except AttributeError:
    client = mqtt.Client()  # paho-mqtt 1.x
client.username_pw_set("token:" + args.token, "")
if args.ca:
    client.tls_set(ca_certs=args.ca)
client.on_connect = on_connect
client.on_subscribe = on_subscribe
client.on_message = on_message
client.connect(args.host, args.port, keepalive=30)
client.loop_start()
ok = received.wait(timeout=10)
client.disconnect()
client.loop_stop()
if not ok:
    sys.exit("no message within 10 s")
