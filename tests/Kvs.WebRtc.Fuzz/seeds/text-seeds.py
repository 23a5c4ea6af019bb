#!/usr/bin/env python3
"""Writes the text targets' seeds (SDP, ICE, signaling, SigV4, control plane) from the captures and vectors in the
repository and the shared test data; see docs/fuzzing.md. Usage: text-seeds.py <repo-root> <shared-testdata> <corpus-dir>"""
import glob, hashlib, json, os, re, sys
from urllib.parse import urlsplit

repo, shared, corpus = sys.argv[1:4]

def add(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "txt-" + hashlib.sha256(data).hexdigest()[:16]), "wb") as f:
        f.write(data)

# SDP captures (Chromium, Firefox, KVS C SDK) and the candidate lines in them.
for path in sorted(glob.glob(os.path.join(repo, "tests/Kvs.WebRtc.PeerConnection.Tests/TestData/Sdp/*.sdp"))):
    text = open(path, encoding="utf-8").read()
    add("sdp", text)
    for line in text.splitlines():
        if line.startswith("a=candidate:"):
            add("ice-candidate", line[2:])
for line in ["candidate:1 1 udp 2122260223 192.168.1.10 54321 typ host generation 0 ufrag abcd network-id 1",
             "a=candidate:2 1 UDP 1686052607 203.0.113.5 61000 typ srflx raddr 192.168.1.10 rport 54321",
             "candidate:3 1 udp 41885439 198.51.100.7 50000 typ relay raddr 203.0.113.5 rport 61000",
             "candidate:4 1 tcp 1518280447 2001:db8::5 9 typ host tcptype active",
             "candidate:5 1 udp 2122194687 3f1c2d4e-1111-2222-3333-444455556666.local 50001 typ host"]:
    add("ice-candidate", line)
for uri in ["stun:stun.kinesisvideo.us-west-2.amazonaws.com:443", "turn:192.0.2.10:3478?transport=udp",
            "turns:example.com:443?transport=tcp", "turn:[2001:db8::1]:3478", "stun:example.org"]:
    add("ice-server-uri", uri)

# Signaling frames from the KVS JS SDK fixtures.
fixtures = json.load(open(os.path.join(shared, "signaling/js-sdk-message-fixtures.json"), encoding="utf-8"))
for frame in fixtures["outbound"].values():
    add("signaling-client-frame", frame)
for frame in fixtures["inbound"].values():
    add("signaling-service-frame", frame)
add("signaling-service-frame", '{"senderClientId":"","messageType":"STATUS_RESPONSE","messagePayload":"","statusResponse":{"correlationId":"c1","errorType":"InvalidArgumentException","statusCode":"400","description":"bad"}}')
add("signaling-service-frame", '{"message": "Endpoint request timed out", "connectionId":"abc=", "requestId":"r1"}')
add("signaling-service-frame", '{"messageType":"GO_AWAY","messagePayload":""}')
add("signaling-service-frame", '{"messageType":"RECONNECT_ICE_SERVER","messagePayload":""}')

# SigV4 vectors: presigned request targets, header-signed requests, and their raw queries.
def walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v)

for path in sorted(glob.glob(os.path.join(shared, "sigv4/*.json"))):
    data = json.load(open(path, encoding="utf-8"))
    for node in walk(data):
        for key in ("signedUrl", "expectedUrl", "url"):
            value = node.get(key)
            if isinstance(value, str) and "X-Amz-" in value:
                parts = urlsplit(value)
                target = (parts.path or "/") + "?" + parts.query
                add("sigv4-presigned", target)
                add("emulator-query", parts.query)
        headers = (node.get("expected") or {}).get("requestHeaders") if isinstance(node.get("expected"), dict) else None
        inp = node.get("input")
        if isinstance(headers, dict) and isinstance(inp, dict) and "path" in inp:
            head = inp["path"] + "\n" + "\n".join(f"{k}: {v}" for k, v in headers.items())
            add("sigv4-header", head + "\n\n" + inp.get("body", ""))

# Control-plane errors and responses (shapes of the service's rest-json answers).
for header, body in [
        ("ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.kinesisvideo/", '{"Message":"The requested channel is not found or not active."}'),
        ("", '{"__type":"com.amazonaws.kinesisvideo#ClientLimitExceededException","message":"Rate exceeded"}'),
        ("InvalidSignatureException", '{"message":"Signature expired: 20240403T092229Z is now earlier than 20240403T093000Z (20240403T093500Z - 5 min.)"}'),
        ("", "<html><body>502 Bad Gateway</body></html>"),
        ("AccessDeniedException", "")]:
    add("controlplane-error", (header + "\n" if header else "") + body)
responses = [
    (0, '{"ChannelARN":"arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo/1"}'),
    (1, '{"ChannelInfo":{"ChannelARN":"arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo/1","ChannelName":"demo","ChannelStatus":"ACTIVE","ChannelType":"SINGLE_MASTER","CreationTime":1.712136149494E9,"SingleMasterConfiguration":{"MessageTtlSeconds":60},"Version":"v1"}}'),
    (2, '{"ResourceEndpointList":[{"Protocol":"WSS","ResourceEndpoint":"wss://m-1.kinesisvideo.us-west-2.amazonaws.com"},{"Protocol":"HTTPS","ResourceEndpoint":"https://r-1.kinesisvideo.us-west-2.amazonaws.com"}]}'),
    (3, '{"ChannelInfoList":[],"NextToken":"abc"}'),
    (4, '{"NextToken":null,"Tags":{"k":"v"}}'),
    (5, '{"IceServerList":[{"Password":"p","Ttl":300,"Uris":["turn:192.0.2.1:443?transport=udp","turns:x.example:443?transport=tcp"],"Username":"1712136149:u"}]}'),
    (6, '{"MediaStorageConfiguration":{"Status":"ENABLED","StreamARN":"arn:aws:kinesisvideo:us-west-2:123456789012:stream/s/1"}}'),
    (7, '{}'),
    (8, '{"message":"x","Message":"y","__type":"T"}'),
]
for selector, body in responses:
    add("controlplane-response", bytes([selector]) + body.encode())
