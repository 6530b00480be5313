"""Test helpers for inbound mail: raw messages, and a fake IMAP server."""

import re

DATE = "Thu, 29 Dec 2022 18:00:00 +0100"


def eml(
    *,
    sender: str = "paul.durand@example.org",
    subject: str = "Mon paiement",
    body: str = "Bonjour, je n'ai pas recu mon paiement.",
    message_id: str = "<m1@example.org>",
    date: str | None = DATE,
    headers: str = "",
) -> bytes:
    lines = [f"From: {sender}", "To: courriels@vienne.caf.example", f"Subject: {subject}"]
    if date is not None:
        lines.append(f"Date: {date}")
    if message_id:
        lines.append(f"Message-ID: {message_id}")
    lines += [h for h in headers.split("\n") if h]
    lines += ["Content-Type: text/plain; charset=utf-8", "", body, ""]
    return "\r\n".join(lines).encode()


def with_attachment(
    raw_body: bytes, *, filename: str, content_type: str, payload_b64: str
) -> bytes:
    """A multipart/mixed message: a text part and one base64 attachment."""
    return (
        b"From: paul.durand@example.org\r\n"
        b"Subject: Mon justificatif\r\n"
        b"Date: " + DATE.encode() + b"\r\n"
        b"Message-ID: <pj-" + filename.encode() + b"@example.org>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="XYZ"\r\n\r\n'
        b"--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + raw_body + b"\r\n"
        b"--XYZ\r\nContent-Type: " + content_type.encode() + b"\r\n"
        b'Content-Disposition: attachment; filename="' + filename.encode() + b'"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + payload_b64.encode() + b"\r\n"
        b"--XYZ--\r\n"
    )


class FakeImapServer:
    """Stands for an IMAP server behind the imaplib client API that `ImapMailbox` uses, with the
    semantics of RFC 3501 that matter here: FETCH RFC822 or BODY[] marks a message \\Seen,
    BODY.PEEK[] does not; partial fetches return <offset.length> slices. `refuse` makes the
    server answer NO to commands whose text contains one of its strings."""

    def __init__(self, messages: dict[bytes, bytes], refuse: tuple[str, ...] = ()):
        self.messages, self.seen, self.refuse = messages, set(), refuse
        self.stored_after: list[bytes] = []  # uids flagged, in order
        self.on_store = lambda uid: None
        self.logged_out = False

    def select(self, folder):
        return "OK", [str(len(self.messages)).encode()]

    def uid(self, command, *args):
        text = " ".join([command, *(a.decode() if isinstance(a, bytes) else str(a) for a in args)])
        if any(word in text for word in self.refuse):
            return "NO", [b"refused"]
        if command == "SEARCH":
            unseen = [uid for uid in self.messages if uid not in self.seen]
            return "OK", [b" ".join(unseen)]
        uid = args[0].encode() if isinstance(args[0], str) else args[0]
        if command == "FETCH":
            return self._fetch(uid, args[1])
        if command == "STORE":
            self.on_store(uid)
            self.seen.add(uid)
            self.stored_after.append(uid)
            return "OK", [b"1 (FLAGS (\\Seen))"]
        raise AssertionError(command)

    def _fetch(self, uid: bytes, items: str):
        raw = self.messages.get(uid)
        if raw is None:
            return "OK", [None]
        if items == "(RFC822.SIZE)":
            return "OK", [b"1 (UID " + uid + b" RFC822.SIZE " + str(len(raw)).encode() + b")"]
        partial = re.fullmatch(r"\(BODY\.PEEK\[\]<(\d+)\.(\d+)>\)", items)
        if partial:
            start, length = int(partial.group(1)), int(partial.group(2))
            data = raw[start : start + length]
            return "OK", [(b"1 (UID " + uid + b" BODY[]<%d> {%d}" % (start, len(data)), data), b")"]
        if items in ("(RFC822)", "(BODY[])"):
            self.seen.add(uid)
            return "OK", [(b"1 (UID " + uid + b" RFC822 {%d}" % len(raw), raw), b")"]
        raise AssertionError(items)

    def logout(self):
        self.logged_out = True
