#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Waits until the Chromium page whose URL starts with URL (DevTools protocol on
# 127.0.0.1:PORT) shows TEXT; prints the page's text. Exit 0 when it does.
#   cdp_text.py PORT URL TEXT TIMEOUT
import json
import sys
import time
import urllib.request

import websocket

port, url, text, timeout = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
end = time.time() + timeout
body = ""
seen = []
while time.time() < end:
    try:
        pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=5))
        seen = [(p.get("type"), p.get("url"), p.get("title")) for p in pages]
        page = next(p for p in pages if p.get("type") == "page" and p.get("url", "").startswith(url))
        ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=10)
        ws.send(json.dumps({"id": 1, "method": "Runtime.evaluate",
                            "params": {"expression": "document.body ? document.body.innerText : ''",
                                       "returnByValue": True}}))
        while True:
            r = json.loads(ws.recv())
            if r.get("id") == 1:
                break
        ws.close()
        body = r["result"]["result"].get("value", "")
        if text in body:
            print(body)
            sys.exit(0)
    except (OSError, StopIteration, KeyError, websocket.WebSocketException):
        pass
    time.sleep(1)
print("pages:", seen)
print(body)
sys.exit(1)
