"""moto's S3 on a free loopback port, for as long as standard input stays open.

Usage: moto_s3.py
Prints the port on the first line of stdout once the server answers, then serves until stdin
reaches end of file (the test closed it, or the test process died), and stops.
Needs tests/services/requirements.txt (moto[s3] 5.2.5, flask, flask-cors).
"""
import logging
import sys

from moto.moto_server.threaded_moto_server import ThreadedMotoServer


def main():
    # werkzeug logs every request; the tests read nothing from it.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    print(port, flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
