"""`--post github` against the real local GitHub API stand-in (tests/github_api): fingerprints pasted by
someone else do not stop a comment, a token with control characters is refused, and no error prints a
token."""

from __future__ import annotations

import json
import re

import pytest

from codeward.github import Client
from tests import hostile as h
from tests.github_api.server import FakeGitHub, serve
from tests.helpers import run_cli

TOKEN = "ghp_" + "PostTokenValue0123456789abcdefghijklmn"


def _post(attack, fake: FakeGitHub, token: str = TOKEN, **env: str):
    environment = {"GITHUB_TOKEN": token, "GITHUB_API_URL": fake.url, "GITHUB_REPOSITORY": fake.repo, **env}
    args = ("review", "--isolated", "--diff", "main...HEAD", "--format", "concise", "--post", "github")
    return h.run_codeward(attack, *args, "--pr", str(fake.number), env=environment)


def _markers(attack) -> list[str]:
    """What the attacker computes offline: the hidden fingerprints codeward's comments will carry."""
    run = h.run_codeward(attack, "review", "--isolated", "--diff", "main...HEAD", "--format", "github-review")
    return re.findall(r"<!-- codeward:fingerprint=[0-9a-f-]+ -->", run.stdout)


def _comment(login: str, body: str) -> dict:
    return {"id": 900, "user": {"login": login, "id": 666}, "body": body, "path": "app.py", "line": 1}


@pytest.mark.parametrize("actions_token", [True, False], ids=["actions-token", "user-token"])
def test_fingerprints_pasted_by_the_author_do_not_stop_the_comments(tmp_path, actions_token: bool) -> None:
    attack = h.attacker_pr(tmp_path, {"app.py": h.BASE_APP}, {"app.py": h.PAYLOAD})
    markers = _markers(attack)
    assert len(markers) == 2
    fake = FakeGitHub(token=TOKEN, login="github-actions[bot]" if actions_token else "ci-bot")
    fake.user_status = 403 if actions_token else 200
    fake.comments.append(_comment("attacker", "nice code " + " ".join(markers)))
    with serve(fake):
        run = _post(attack, fake, GITHUB_ACTIONS="true" if actions_token else "")
        h.assert_blocks(run, "CWR102", "CWR201")
        h.assert_contained(attack, run, (h.AWS_KEY, TOKEN))
        assert len(fake.posted_reviews) == 1 and len(fake.posted_reviews[0].body["comments"]) == 2
        # The token's own comments do count: a second run posts nothing.
        again = _post(attack, fake, GITHUB_ACTIONS="true" if actions_token else "")
        h.assert_blocks(again, "CWR102")
        assert "nothing new to post" in again.stderr and len(fake.posted_reviews) == 1
        h.assert_contained(attack, again, (h.AWS_KEY, TOKEN))


def test_an_unknown_account_is_an_error_not_a_guess(tmp_path) -> None:
    attack = h.attacker_pr(tmp_path, {"app.py": h.BASE_APP}, {"app.py": h.PAYLOAD})
    fake = FakeGitHub(token=TOKEN, user_status=403)
    fake.comments.append(_comment("attacker", " ".join(_markers(attack))))
    with serve(fake):
        run = _post(attack, fake)  # not in GitHub Actions: GET /user refused, no bot to assume
        assert run.code == 2 and "set CODEWARD_GITHUB_LOGIN" in run.stderr
        named = _post(attack, fake, CODEWARD_GITHUB_LOGIN="github-actions[bot]")
        h.assert_blocks(named, "CWR102")
        assert len(fake.posted_reviews) == 1
        h.assert_contained(attack, named, (h.AWS_KEY, TOKEN))


@pytest.mark.parametrize("bad", ["\n", "\r\nX-Injected: 1", "\t", "\x7f"])
def test_a_token_with_control_characters_is_refused_unprinted(tmp_path, bad: str) -> None:
    attack = h.attacker_pr(tmp_path, {"app.py": h.BASE_APP}, {"app.py": h.PAYLOAD})
    token = TOKEN[:20] + bad + TOKEN[20:]
    with serve(FakeGitHub(token=TOKEN)) as fake:
        run = _post(attack, fake, token=token)
        assert fake.requests == []
    assert run.code == 2 and "GITHUB_TOKEN contains a control character" in run.stderr
    h.assert_contained(attack, run, (h.AWS_KEY, TOKEN[:20], TOKEN[20:]))


def test_the_last_resort_handler_scrubs_every_known_token(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    attack = h.attacker_pr(tmp_path, {"app.py": h.BASE_APP}, {"app.py": h.PAYLOAD})
    aws = "aws/" + "SecretAccessKeyValue0123456789abcdefgh"

    def explode(self: Client, method: str, path: str, body: object = None) -> object:
        # As http.client does for a header with a line break: the value, escaped, in the message.
        raise ValueError(f"Invalid header value {('Bearer ' + self._token).encode()!r}; also {json.dumps(aws)}")

    monkeypatch.setattr(Client, "request", explode)
    for key, value in {"GITHUB_TOKEN": TOKEN, "AWS_SECRET_ACCESS_KEY": aws, "GITHUB_API_URL": "http://127.0.0.1:9",
                       "GITHUB_REPOSITORY": "octo/demo", "CODEWARD_DEBUG": "1"}.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    code, out, err = run_cli("review", "--isolated", "--post", "github", "--pr", "7", ".", cwd=str(attack.repo))
    assert code == 2 and "internal error: ValueError: Invalid header value" in err
    for secret in (TOKEN, TOKEN[:20], TOKEN[20:], aws, aws[4:]):
        assert secret not in out + err, secret
