"""redact() hides registered secrets, bearer tokens and signed URL queries, and nothing else; the CLI's
live table, lines, JSON events and log records go through it."""

from __future__ import annotations

import io
import json
import logging

import pytest
from rich.console import Console

from pipeline import load
from pipeline.cli.progress import JsonLines, Lines, LiveView
from pipeline.engine.runner import Progress
from pipeline.secrets import RedactingFilter, install_log_redaction, redact, remember

KEY = "sk-test-SECRET-1234"
remember(KEY)

S3 = ("https://film-bucket.s3.eu-west-1.amazonaws.com/clips/shot%2001.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256"
      "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261201%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261201T2"
      "10000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=9f1c0a8b7e6d5c4b3a29180716253443")


def test_a_signed_s3_url_keeps_its_scheme_host_and_path():
    said = redact(f"could not download {S3} (HTTP 403)")
    assert said == ("could not download https://film-bucket.s3.eu-west-1.amazonaws.com/clips/shot%2001.mp4?*** "
                    "(HTTP 403)")


@pytest.mark.parametrize("url", [
    "https://cdn.example.com/v.mp4?Expires=1767225600&Signature=abcd~efgh&Key-Pair-Id=K2JCJMDEHXQW5F",
    "https://acct.blob.core.windows.net/c/v.mp4?sv=2024-01-01&se=2026-12-02&sp=r&sig=Zm9vYmFyYmF6",
    "https://storage.googleapis.com/b/v.mp4?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Signature=0a1b2c",
    "https://api.example.com/v1/jobs?token=abc123def456",
])
def test_other_signed_queries_are_hidden_too(url):
    base, _, query = url.partition("?")
    assert redact(url) == f"{base}?***"


def test_an_unsigned_url_is_left_whole():
    url = "http://127.0.0.1:8800/dream-machine/v1/generations?limit=100&offset=0#top"
    assert redact(f"GET {url}") == f"GET {url}"


def test_credentials_in_a_url_are_hidden():
    assert redact("https://me:pa55word@host.test/x") == "https://***@host.test/x"


def test_a_bearer_token_is_hidden_whatever_it_is():
    said = redact("sent Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo")
    assert said == "sent Authorization: Bearer ***"
    assert redact("headers {'authorization': 'bearer 0123456789abcdef'}") == "headers {'authorization': 'bearer ***'}"


def test_prose_and_short_words_after_bearer_survive():
    assert redact("the fake accepts any bearer key") == "the fake accepts any bearer key"


def test_a_registered_key_inside_a_longer_json_body():
    body = json.dumps({"detail": f"Invalid API key is provided (got {KEY}, expected luma-...)", "code": 401})
    said = redact(body)
    assert KEY not in said and json.loads(said)["detail"] == "Invalid API key is provided (got ***, expected luma-...)"


def test_a_signature_outside_a_url_and_nothing_else():
    assert redact("X-Amz-Signature=deadbeef&part=2 key=shot-a") == "X-Amz-Signature=***&part=2 key=shot-a"


def test_short_secrets_are_not_registered_and_empty_text_passes():
    remember("abc")
    assert redact("abc abcdef") == "abc abcdef"
    assert redact(None) is None and redact("") == ""


def test_log_records_are_redacted_whatever_their_logger_and_arguments(caplog):
    install_log_redaction()
    install_log_redaction()  # twice is once
    caplog.set_level(logging.INFO)
    logging.getLogger("httpx").info("HTTP Request: %s %s", "GET", S3)
    logging.getLogger("pipeline.deep.child").warning("answer: %r", {"detail": f"bad {KEY}"})
    try:
        raise RuntimeError(f"server said Bearer {KEY}")
    except RuntimeError:
        logging.getLogger("uvicorn.error").exception("failed")
    text = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert "AKIAIOSFODNN7EXAMPLE" not in text and KEY not in text and "SECRET" not in text
    assert "clips/shot%2001.mp4?***" in caplog.records[0].getMessage()
    assert "RuntimeError: server said Bearer ***" in caplog.text


def test_the_filter_keeps_the_shape_of_string_arguments():
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", "/v.mp4?sig=abcdef012345", "1.1", 200), None)
    RedactingFilter().filter(record)
    assert record.args == ("127.0.0.1:5", "GET", "/v.mp4?sig=***", "1.1", 200)  # uvicorn unpacks these five


PLAN_EVENT = Progress("a", "failed", f"Luma refused the request (request had Authorization: Bearer {KEY})", 0.4)


def test_progress_never_shows_a_secret(capsys, tmp_path):
    board = tmp_path / "board.yaml"
    board.write_text("shots:\n  - id: a\n    prompt: a lighthouse at dusk\n")
    plan = load(board).plan()
    screen = io.StringIO()
    with LiveView(plan, Console(file=screen, force_terminal=True, width=240)) as live:
        live(PLAN_EVENT)
    for view in (Lines(plan), JsonLines(plan)):
        view(PLAN_EVENT)
    out, err = capsys.readouterr()
    assert "Bearer ***" in screen.getvalue() and "Bearer ***" in err and json.loads(out)["detail"].endswith("***)")
    assert "SECRET" not in screen.getvalue() + out + err


@pytest.mark.parametrize("spelling", ["BEARER", "bEaReR", "Baſic"])  # ſ: IGNORECASE reads it as s
def test_every_spelling_of_a_scheme_is_redacted_in_a_long_text(spelling):
    long = "x" * 200_000  # long texts are scanned only for what they can hold: the scan must not miss this
    said = redact(f"{long} Authorization: {spelling} abcdefghijklmnop {long}")
    assert f"{spelling} ***" in said and "abcdefghijklmnop" not in said


def test_a_long_text_with_no_url_pair_or_scheme_comes_back_unchanged():
    text = json.dumps({"shots": [{"id": f"s{i}", "prompt": f"a keeper's key step {i}"} for i in range(5000)]})
    assert redact(text) == text
