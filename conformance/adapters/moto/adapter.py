#!/usr/bin/env python3
"""iamspec-api/1 line-protocol adapter for moto (https://github.com/getmoto/moto).

Starts `moto_server` on 127.0.0.1 (a free port) from the Python environment this script runs
in (`cargo xtask moto` makes one outside the repository), answers the runner's lines, and stops
the server when the runner says `bye` or closes its input.

Calls go through boto3 with client-side parameter validation off, so that moto, not botocore,
answers a missing or out-of-range parameter. An action boto3 does not know is sent as a raw
Query API request.
"""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

server = None
client = None
endpoint = None
methods = {}


def start():
    global server, client, endpoint, methods
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    moto = os.path.join(os.path.dirname(sys.executable), "moto_server")
    server = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
            break
        except Exception:
            time.sleep(0.1)
    client = boto3.client(
        "iam", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
        config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    methods = {api: py for py, api in client.meta.method_to_api_mapping.items()}


def stop():
    if server is not None and server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()


def reset():
    req = urllib.request.Request(endpoint + "/moto-api/reset", data=b"", method="POST")
    urllib.request.urlopen(req, timeout=10).read()


def raw(action, params):
    body = urllib.parse.urlencode({"Action": action, "Version": "2010-05-08", **{k: str(v) for k, v in params.items()}}).encode()
    req = urllib.request.Request(endpoint + "/", data=body, method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded",
                                          "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20200101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x"})
    try:
        urllib.request.urlopen(req, timeout=10).read()
        return {"result": {}}
    except urllib.error.HTTPError as e:
        text = e.read().decode("utf-8", "replace")
        try:
            root = ET.fromstring(text)
            code = next((el.text for el in root.iter() if el.tag.endswith("Code")), None)
            message = next((el.text for el in root.iter() if el.tag.endswith("Message")), "")
        except ET.ParseError:
            code, message = None, text[:200]
        return {"error": {"code": code or f"HTTP{e.code}", "message": message or ""}}


def call(params):
    params = dict(params)
    action = params.pop("Action")
    method = methods.get(action)
    if method is None:
        return raw(action, params)
    try:
        result = getattr(client, method)(**params)
    except ClientError as e:
        err = e.response.get("Error", {})
        return {"error": {"code": err.get("Code") or "Unknown", "message": err.get("Message") or ""}}
    except Exception as e:  # moto crashed (an HTML 500 page), or botocore could not serialize
        code = "HTTP500" if "500 Internal Server Error" in str(e) else type(e).__name__
        return {"error": {"code": code, "message": str(e)[:300]}}
    result.pop("ResponseMetadata", None)
    return {"result": json.loads(json.dumps(result, default=str))}


def main():
    try:
        for line in sys.stdin:
            request = json.loads(line)
            op = request.get("op")
            if op == "hello":
                start()
                answer = {"protocol": "iamspec-api/1"}
            elif op == "reset":
                reset()
                answer = {"ok": True}
            elif op == "call":
                answer = call(request["call"])
            elif op == "bye":
                break
            else:
                answer = {"error": {"code": "AdapterError", "message": f"unknown op {op}"}}
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
    finally:
        stop()


if __name__ == "__main__":
    import urllib.parse  # noqa: F401  (raw requests)
    main()
