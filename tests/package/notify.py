"""A stand-in for systemd's notification socket (sd_notify(3)).

Usage: notify.py <socket path> <port> <out file>

Binds a datagram socket at <socket path> and writes one line per message
to <out file>.  When READY=1 arrives it asks GET /health/ready on <port>
at once and writes "probe <status>": READY=1 must mean the server already
answers.  Exits after STOPPING=1 or 60 s.
"""
import os
import socket
import sys
import urllib.request

path, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
os.chmod(path, 0o666)  # the server may run as another user
sock.settimeout(60)
direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))

with open(out, "w", buffering=1) as f:
    f.write("listening\n")
    while True:
        try:
            data = sock.recv(4096).decode()
        except socket.timeout:
            f.write("timeout\n")
            break
        f.write("msg " + data.replace("\n", " ") + "\n")
        if "READY=1" in data.split("\n"):
            try:
                url = "http://127.0.0.1:%d/health/ready" % port
                with direct.open(url, timeout=5) as r:
                    f.write("probe %d\n" % r.status)
            except Exception as e:  # noqa: BLE001 -- reported, not raised
                f.write("probe failed %s\n" % e)
        if "STOPPING=1" in data.split("\n"):
            break
