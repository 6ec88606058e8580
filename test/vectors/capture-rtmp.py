#!/usr/bin/env python3
"""Records what an RTMP publisher sends: a TCP proxy on 127.0.0.1:LISTEN forwarding to a server on
127.0.0.1:UPSTREAM, writing the client-to-server bytes to OUT. Made the *.rtmp vectors:

  ./run.sh serve --rtmp-port 19360 --http-port 18090 &
  python3 test/vectors/capture-rtmp.py 19361 19360 test/vectors/ffmpeg-publish.rtmp &
  ffmpeg -i test/vectors/h264-aac-320x240-2s.flv -c copy -f flv rtmp://127.0.0.1:19361/live/vector
"""
import socket
import sys
import threading

listen_port, upstream_port, out_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", listen_port))
server.listen(1)
client, _ = server.accept()
upstream = socket.create_connection(("127.0.0.1", upstream_port))


def pump(src, dst, record):
    try:
        while data := src.recv(65536):
            if record:
                record.write(data)
            dst.sendall(data)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


with open(out_path, "wb") as record:
    back = threading.Thread(target=pump, args=(upstream, client, None))
    back.start()
    pump(client, upstream, record)
    back.join(timeout=5)
