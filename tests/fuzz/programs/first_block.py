"""A client with a classic bug: it assumes the reply's first content block is text."""
import json
import os
import sys
import urllib.request

request = urllib.request.Request(
    os.environ["ANTHROPIC_BASE_URL"] + "/v1/messages",
    data=json.dumps({"model": "claude-sonnet-4-5", "max_tokens": 100,
                     "messages": [{"role": "user", "content": "hi"}]}).encode(),
    headers={"x-api-key": os.environ["ANTHROPIC_API_KEY"], "anthropic-version": "2023-06-01",
             "content-type": "application/json"})
message = json.load(urllib.request.urlopen(request))
if "--fixed" in sys.argv:
    print("".join(block["text"] for block in message["content"] if block["type"] == "text"))
else:
    print(message["content"][0]["text"])
