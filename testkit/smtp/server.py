"""A real SMTP server for the tests, on loopback: Debian's aiosmtpd, scripted.

python3 server.py PORT FOLDER [CERT KEY]

Each message it accepts is written to FOLDER/received/ as an .eml file (whole, then renamed,
so a reader never sees half of one). FOLDER/answers/ADDRESS, when present, holds the answers
to give that recipient, a line each, one per attempt ("451 4.3.0 Try again later",
"550 5.1.1 No such user"); once they are used up the recipient is accepted. With CERT and
KEY it offers STARTTLS and requires it before MAIL. It prints "ready" once it listens.
"""

import os
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller


class Scripted:
    def __init__(self, folder):
        self.folder = folder
        self.lock = threading.Lock()
        self.count = 0

    def next_answer(self, address):
        path = os.path.join(self.folder, "answers", address)
        with self.lock:
            if not os.path.exists(path):
                return None
            with open(path) as answers:
                lines = [line for line in answers.read().splitlines() if line.strip()]
            if not lines:
                return None
            with open(path, "w") as answers:
                answers.write("\n".join(lines[1:]))
            return lines[0]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.next_answer(address)
        if answer and not answer.startswith("250"):
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            number = self.count
        received = os.path.join(self.folder, "received")
        name = "%d-%06d" % (time.time_ns(), number)
        partial = os.path.join(received, name + ".part")
        with open(partial, "wb") as message:
            message.write(envelope.original_content or envelope.content)
        os.rename(partial, os.path.join(received, name + ".eml"))
        return "250 2.0.0 Ok: queued as %s" % name


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    os.makedirs(os.path.join(folder, "received"), exist_ok=True)
    os.makedirs(os.path.join(folder, "answers"), exist_ok=True)
    tls = None
    if len(sys.argv) >= 5:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(sys.argv[3], sys.argv[4])
    controller = Controller(
        Scripted(folder),
        hostname="127.0.0.1",
        port=port,
        tls_context=tls,
        require_starttls=tls is not None,
    )
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
