"""The mail sink's refusal control: `refuse.json` in its directory makes it refuse every MAIL
FROM (`{"all": 421}`, then closing the connection) or chosen recipients' RCPT TO
(`{"recipients": {...: 450}}`), read on every command; without the file it takes everything.
The sink runs in-process on a free port and is spoken to in plain SMTP lines."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP

from hotline.devstack.mailsink import REFUSALS_FILE, EmlHandler, list_messages, write_refusals

MESSAGE = b"From: a@hotline.example\r\nTo: b@acme.example\r\nSubject: hi\r\n\r\nhello\r\n.\r\n"


@contextlib.asynccontextmanager
async def sink(directory: Path):
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(EmlHandler(directory), hostname="test-sink"), host="127.0.0.1", port=0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


class Session:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def reply(self) -> str:
        """The last line of the next (possibly multi-line) reply, or "" at EOF."""
        while True:
            line = (await asyncio.wait_for(self.reader.readline(), 5)).decode().rstrip("\r\n")
            if len(line) < 4 or line[3] != "-":
                return line

    async def say(self, command: str | bytes) -> str:
        self.writer.write(command if isinstance(command, bytes) else command.encode() + b"\r\n")
        await self.writer.drain()
        return await self.reply()


@contextlib.asynccontextmanager
async def session(port: int):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    talk = Session(reader, writer)
    try:
        assert (await talk.reply()).startswith("220")
        assert (await talk.say("EHLO client.example")).startswith("250")
        yield talk
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def test_without_the_file_every_message_is_taken(tmp_path):
    async with sink(tmp_path) as port, session(port) as smtp:
        assert (await smtp.say("MAIL FROM:<a@hotline.example>")).startswith("250")
        assert (await smtp.say("RCPT TO:<b@acme.example>")).startswith("250")
        assert (await smtp.say("DATA")).startswith("354")
        assert (await smtp.say(MESSAGE)).startswith("250")
    assert len(list_messages(tmp_path)) == 1


async def test_all_421_refuses_every_mail_from_and_closes_the_connection(tmp_path):
    write_refusals(tmp_path, {"all": 421})
    async with sink(tmp_path) as port:
        for _ in range(2):  # every connection, not just the first
            async with session(port) as smtp:
                reply = await smtp.say("MAIL FROM:<a@hotline.example>")
                assert reply == "421 4.3.2 Service not available, closing channel"
                assert await asyncio.wait_for(smtp.reader.read(), 5) == b""  # closed by the sink
    assert list_messages(tmp_path) == []


async def test_a_refused_recipient_is_greylisted_and_the_others_are_taken(tmp_path):
    write_refusals(tmp_path, {"recipients": {"Slow@Acme.example": 450}})
    async with sink(tmp_path) as port, session(port) as smtp:
        assert (await smtp.say("MAIL FROM:<a@hotline.example>")).startswith("250")
        assert await smtp.say("RCPT TO:<slow@acme.example>") == (
            "450 4.2.0 Greylisted, try again later")
        assert (await smtp.say("RCPT TO:<b@acme.example>")).startswith("250")
        assert (await smtp.say("DATA")).startswith("354")
        assert (await smtp.say(MESSAGE)).startswith("250")
    [saved] = list_messages(tmp_path)
    assert b"X-Envelope-To: b@acme.example\r\n" in saved.read_bytes()


async def test_the_file_is_read_on_each_command_so_an_open_connection_sees_changes(tmp_path):
    async with sink(tmp_path) as port, session(port) as smtp:
        assert (await smtp.say("MAIL FROM:<a@hotline.example>")).startswith("250")
        write_refusals(tmp_path, {"recipients": {"b@acme.example": 550}})
        assert await smtp.say("RCPT TO:<b@acme.example>") == "550 5.1.1 Mailbox unavailable"
        write_refusals(tmp_path, {"recipients": {"b@acme.example": "451 4.7.1 Come back later"}})
        assert await smtp.say("RCPT TO:<b@acme.example>") == "451 4.7.1 Come back later"
        write_refusals(tmp_path, None)
        assert not (tmp_path / REFUSALS_FILE).exists()
        assert (await smtp.say("RCPT TO:<b@acme.example>")).startswith("250")
        assert (await smtp.say("RSET")).startswith("250")
        write_refusals(tmp_path, {"all": 452})
        assert await smtp.say("MAIL FROM:<a@hotline.example>") == (
            "452 4.3.1 Insufficient system storage, try again later")
        write_refusals(tmp_path, None)
        assert (await smtp.say("MAIL FROM:<a@hotline.example>")).startswith("250")


@pytest.mark.parametrize("content", ["not json", "[421]", '{"all": true}', '{"recipients": [1]}'])
async def test_a_broken_file_is_ignored_and_mail_is_taken(tmp_path, content, capfd):
    (tmp_path / REFUSALS_FILE).write_text(content)
    async with sink(tmp_path) as port, session(port) as smtp:
        assert (await smtp.say("MAIL FROM:<a@hotline.example>")).startswith("250")
        assert (await smtp.say("RCPT TO:<b@acme.example>")).startswith("250")
    assert "ignoring" in capfd.readouterr().err


def test_write_refusals_replaces_the_file_whole_and_none_removes_it(tmp_path):
    write_refusals(tmp_path / "mail", {"all": 421})
    assert (tmp_path / "mail" / REFUSALS_FILE).read_text() == '{"all": 421}'
    write_refusals(tmp_path / "mail", {"recipients": {"x@y.example": 450}})
    assert [p.name for p in (tmp_path / "mail").iterdir()] == [REFUSALS_FILE]  # no temp file left
    write_refusals(tmp_path / "mail", None)
    write_refusals(tmp_path / "mail", None)  # already gone: fine
    assert list((tmp_path / "mail").iterdir()) == []
