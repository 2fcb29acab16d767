"""Review rules' details that no rule case reached: each case states every finding of the file (code, line,
column, severity, message). Written to kill the survivors of the review-rules mutation sample
(bench/mutation-report.md names each); every expectation was read against the code it reviews."""

from __future__ import annotations

from pathlib import Path

import pytest
from codeward.reviewer.review import review_file
from codeward.reviewer.rules.secrets import looks_like_secret

from tests.helpers import run_cli
from tests.outputs_whole import check_whole


def findings(tmp_path: Path, source: str) -> list[tuple[str, int, int, str, str]]:
    path = tmp_path / "case.py"
    path.write_text(source)
    found = review_file(str(path)).findings
    check_whole("review-file", "case.py", source, found, str(tmp_path))
    return [(f.code, f.line, f.column, str(f.severity), f.message) for f in found]


FLASK = "from flask import Flask, request\napp = Flask(__name__)\n\n"

CASES = {
    # CWR116: logger.log's first argument is the level; "%r" of the message escapes the line breaks.
    "log() skips the level": (
        "import logging\nfrom flask import request\nlogger = logging.getLogger(__name__)\n\n\ndef view():\n"
        "    logger.log(logging.INFO, 'user %r', request.args['u'])\n",
        [],
    ),
    # CWR120: pandas.read_sql is known by its qualified name, not by a method name.
    "read_sql by name": (
        "import pandas\n\n\ndef rows(conn, name):\n    return pandas.read_sql(f\"SELECT * FROM users WHERE name = '{name}'\", conn)\n",
        [("CWR120", 5, 12, "info", "pandas.read_sql() runs SQL built by formatting values into the text (CWE-89)")],
    ),
    # CWR103: getoutput's command by keyword; str.format called on the class formats its arguments in too.
    "shell command by keyword": (
        "import subprocess\n\n\ndef run(d):\n    return subprocess.getoutput(command='ls ' + d)\n",
        [("CWR103", 5, 12, "info",
          "subprocess.getoutput() runs a shell command built from parameter `d`, not shell-quoted, and no caller is "
          "in view: check that callers pass only trusted values (CWE-78)")],
    ),
    # CWR103: a command passed in whole (a hook's configured command) is info; built from a variable, a warning.
    "whole configured command": (
        "import subprocess\n\n\nclass Hook:\n    def run(self):\n        command = self.argument['run']\n"
        "        subprocess.check_call(command, shell=True)\n",
        [("CWR103", 7, 9, "info",
          "subprocess.check_call() runs `command` as a shell command as it is: check that no caller builds it from "
          "outside input (CWE-78)"),
         ("CWR609", 7, 9, "info", "subprocess.check_call() waits for the child without a timeout (CWE-400)")],
    ),
    # CWR106: a loader class of this module built on SafeLoader is safe; one imported from elsewhere is info.
    "yaml loader built on SafeLoader": (
        "import yaml\n\n\nclass CfnLoader(yaml.SafeLoader):\n    pass\n\n\ndef read(s):\n"
        "    return yaml.load(s, Loader=CfnLoader)\n",
        [],
    ),
    "yaml loader from elsewhere": (
        "import yaml\nfrom .loading import CfnLoader\n\n\ndef read(s):\n    return yaml.load(s, Loader=CfnLoader)\n",
        [("CWR106", 6, 12, "info",
          "yaml.load() with loader `CfnLoader`: check that it is built on yaml.SafeLoader, otherwise it can "
          "construct arbitrary Python objects (CWE-502)")],
    ),
    # CWR601: rebound to a new set before the in-place `-=`, the default is only read: info, not a warning.
    "default rebound before it changes": (
        "def ask(attrs=[]):\n    if attrs:\n        attrs = set(attrs)\n        attrs -= {'name'}\n    return attrs\n",
        [("CWR601", 1, 15, "info", "the default of `attrs` is created once and shared by every call (CWE-665)")],
    ),
    # CWR118: a parameter typed with the project's own `Request` class (an HTTP client's) is not a web request.
    "own Request class": (
        "from .models import Request, Response\n\n\ndef handle(request: Request) -> Response:\n"
        "    return Response(200, headers={'Location': str(request.url)})\n",
        [],
    ),
    "str.format on the class": (
        "import os\n\n\ndef ls(d):\n    os.system(str.format('ls {}', d))\n",
        [("CWR103", 5, 5, "warning",
          "os.system() runs a shell command built from a variable that is not shell-quoted (CWE-78)")],
    ),
    # CWR115: a Lambda event is parsed JSON, which can hold query operators.
    "the Lambda event is structured": (
        "def handler(event, context):\n    db.users.find({'name': event['name']})\n",
        [("CWR115", 2, 5, "info",
          "the Lambda event is used as a MongoDB query in db.users.find(); it can carry query operators; it is "
          "another system's data, a risk only if an attacker can write it (CWE-943)")],
    ),
    # CWR121: compile()'s first argument is the code; a literal one is not reported.
    "eval of compile": (
        "def build(template, record):\n    return eval(compile(template, '<rule>', 'eval'), {'record': record})\n\n\n"
        "def build2(record):\n    return eval(compile('record + 1', '<rule>', 'eval'), {'record': record})\n",
        [("CWR121", 2, 12, "warning", "eval() runs code from `template`, which is not a literal (CWE-95)")],
    ),
    # CWR104 reports a tainted eval; CWR121 leaves it to that rule.
    "tainted eval is CWR104's": (
        FLASK + "@app.route('/calc')\ndef calc():\n    eval(request.args['e'])\n    return 'ok'\n",
        [("CWR104", 6, 5, "error", "request.args is executed as Python code by eval() (CWE-94)")],
    ),
    # CWR605: iterating over keys() is iterating over the dict; a break right after the change ends the loop.
    "modify while iterating": (
        "def prune(d):\n    for k in d.keys():\n        del d[k]\n\n\ndef prune2(d, victim):\n    for k in d:\n"
        "        if k == victim:\n            del d[k]\n            break\n\n\ndef prune3(d: dict):\n"
        "    for k in d.keys():\n        del d[k]\n",
        # d's type is unknown in prune (a Python 2 era class may return a list from keys()), a dict in prune3.
        [
            ("CWR605", 3, 9, "info", "if `d` is a dict, it is changed while the loop iterates over `d.keys()` (CWE-664)"),
            ("CWR605", 15, 9, "error", "`d` is changed while the loop iterates over it (CWE-664)"),
        ],
    ),
    # CWR604: raising another exception is not re-raising the caught one.
    "raising another exception": (
        "def load(path):\n    try:\n        return open(path).read()\n    except OSError:\n"
        "        raise ValueError(path)\n",
        [],
    ),
    # CWR204: the custom-resource event formatted with str.format is logged whole; the context is not the event.
    # (The handler answers CloudFormation itself, so the event it logs holds the live ResponseURL.)
    "custom resource event formatted": (
        "import logging, cfnresponse\nlog = logging.getLogger()\n\n\ndef handler(event, context):\n"
        "    log.info('got {}'.format(event))\n    log.info('got {}'.format(context))\n"
        "    if event['RequestType'] == 'Create':\n        cfnresponse.send(event, context, 'SUCCESS', {})\n",
        [("CWR204", 6, 5, "warning",
          "the whole CloudFormation custom-resource event `event` is logged, with its pre-signed ResponseURL: "
          "whoever reads the log can send the stack a SUCCESS or FAILED of their own (CWE-532)")],
    ),
    # CWR204: a module that logs the ResponseURL by itself (as AWS's cfn-response sample does): logging the whole
    # event adds nothing a log reader lacks; judged not worth a comment 4 of 5 times, so `info`.
    "custom resource event where the module logs the URL itself": (
        "import json, logging\nfrom urllib import request\nlog = logging.getLogger()\n\n\n"
        "def send_response(event, status):\n    log.info('Response URL: {}'.format(event['ResponseURL']))\n"
        "    request.urlopen(request.Request(event['ResponseURL'], data=b'{}', method='PUT'), timeout=5)\n\n\n"
        "def handler(event, context):\n    log.info('Received event: {}'.format(json.dumps(event)))\n"
        "    send_response(event, 'SUCCESS')\n",
        [("CWR204", 12, 5, "info",
          "the whole CloudFormation custom-resource event `event` is logged, with its pre-signed ResponseURL: "
          "whoever reads the log can send the stack a SUCCESS or FAILED of their own; this module also logs the "
          "ResponseURL by itself (line 7) (CWE-532)")],
    ),
    # ... or a name it bound to the URL.
    "custom resource event where the module logs the URL's name": (
        "import json, logging\nfrom urllib import request\nlog = logging.getLogger()\n\n\n"
        "def send_response(event, status):\n    response_url = event['ResponseURL']\n"
        "    log.info(f'Response URL: {response_url}')\n"
        "    request.urlopen(request.Request(response_url, data=b'{}', method='PUT'), timeout=5)\n\n\n"
        "def handler(event, context):\n    log.info('Received event: {}'.format(json.dumps(event)))\n"
        "    send_response(event, 'SUCCESS')\n",
        [("CWR204", 13, 5, "info",
          "the whole CloudFormation custom-resource event `event` is logged, with its pre-signed ResponseURL: "
          "whoever reads the log can send the stack a SUCCESS or FAILED of their own; this module also logs the "
          "ResponseURL by itself (line 8) (CWE-532)")],
    ),
    # The same module where the URL (or the name bound to it) is only used, or its log line is commented out, or
    # a log line names something else: the whole event is the leak.
    "custom resource event where the module only uses the URL": (
        "import json, logging\nfrom urllib import request\nlog = logging.getLogger()\n\n\n"
        "def send_response(event, status):\n    # log.info('Response URL: {}'.format(event['ResponseURL']))\n"
        "    url = event['ResponseURL']\n    log.info('sending %s to url %s', status, event['LogicalResourceId'])\n"
        "    request.urlopen(request.Request(url, data=b'{}', method='PUT'), timeout=5)\n\n\n"
        "def handler(event, context):\n    log.info('Received event: {}'.format(json.dumps(event)))\n"
        "    send_response(event, 'SUCCESS')\n",
        [("CWR204", 14, 5, "warning",
          "the whole CloudFormation custom-resource event `event` is logged, with its pre-signed ResponseURL: "
          "whoever reads the log can send the stack a SUCCESS or FAILED of their own (CWE-532)")],
    ),
    # CWR401: MaxKeys=1 asks for one item on purpose (no pagination needed).
    "one item on purpose": (
        "import boto3\ns3 = boto3.client('s3')\n\n\ndef first(bucket):\n"
        "    return s3.list_objects_v2(Bucket=bucket, MaxKeys=1)['Contents']\n",
        # (No CWR405 either: the caller of `first(bucket)` names the bucket, see CWR405's VALID cases.)
        [],
    ),
    # CWR305: a bare return in a route returns nothing random.
    "bare return in a route": (
        "import random\n\n" + FLASK + "@app.route('/t')\ndef token():\n    if random.random() > 2:\n        return\n"
        "    return str(random.random())\n",
        [("CWR305", 10, 16, "error",
          "random.random() is predictable, and its value reaches the route's response (CWE-338)")],
    ),
    # CWR305: a function named like a token maker makes one only from what it returns; a random jitter in
    # `refresh_secret_now()` is not the secret (aws-secretsmanager-caching, judged false).
    "random jitter in a secret function": (
        "import random\nimport time\n\n\ndef refresh_secret_now():\n    sleep = random.randint(1, 5)\n"
        "    time.sleep(sleep)\n",
        [],
    ),
    "random returned by a token function": (
        "import random\n\n\ndef reset_token():\n    value = random.getrandbits(64)\n    return str(value)\n",
        [("CWR305", 5, 13, "error", "random.getrandbits() is predictable, yet it makes `reset_token()` (CWE-338)")],
    ),
    # CWR303: the password inside a call's arguments, and an attribute named like one.
    "password in a call": (
        "import hashlib\n\n\ndef digest(password):\n    return hashlib.md5(bytes(password, 'utf-8')).hexdigest()\n",
        [("CWR303", 5, 12, "error", "`password` is hashed with md5, which is fast to brute-force (CWE-916)"),
         ("CWR304", 5, 12, "info",
          "MD5 is broken for security uses; pass usedforsecurity=False if this digest is only a checksum (CWE-328)")],
    ),
    "password attribute": (
        "import hashlib\n\n\ndef digest(user):\n    return hashlib.md5(user.password_hash.encode()).hexdigest()\n",
        [("CWR303", 5, 12, "error", "`password_hash` is hashed with md5, which is fast to brute-force (CWE-916)"),
         ("CWR304", 5, 12, "info",
          "MD5 is broken for security uses; pass usedforsecurity=False if this digest is only a checksum (CWE-328)")],
    ),
    # CWR120: a raw string's prefix is not part of the SQL; the message shortens a long callee to 40 characters.
    "raw string query": (
        "def find(cursor, name):\n    cursor.execute(r\"SELECT * FROM t WHERE n = '\" + name + \"'\")\n",
        [("CWR120", 2, 5, "info", "cursor.execute() runs SQL built by formatting values into the text (CWE-89)")],
    ),
    "query formatted before, long callee": (
        "def find(self, name):\n    sql = \"SELECT * FROM t WHERE n = '%s'\" % name\n"
        "    self.connections.reporting_database_cursor.execute(sql)\n",
        [("CWR120", 3, 5, "info",
          "self.connections.reporting_database_c...() runs SQL built by formatting `name` into the text (CWE-89)")],
    ),
    # CWR103: a format() whose arguments are quoted is quoted.
    "format of quoted arguments": (
        "import os, shlex\n\n\ndef ls(d):\n    os.system('ls {}'.format(shlex.quote(d)))\n",
        [],
    ),
    # CWR103: subprocess's command by keyword is args=.
    "subprocess args by keyword": (
        "import subprocess\n\n\ndef run(d):\n    subprocess.call(args='ls ' + d, shell=True)\n",
        [("CWR103", 5, 5, "info",
          "subprocess.call() runs a shell command built from parameter `d`, not shell-quoted, and no caller is in "
          "view: check that callers pass only trusted values (CWE-78)"),
         ("CWR609", 5, 5, "info", "subprocess.call() waits for the child without a timeout (CWE-400)")],
    ),
    # CWR116: more arguments than conversions (logging reports the mismatch; the tainted one is still logged).
    "more arguments than conversions": (
        "import logging\nfrom flask import request\nlogger = logging.getLogger(__name__)\n\n\ndef view():\n"
        "    logger.info('user %s', request.args['u'], 'x')\n",
        [("CWR116", 7, 5, "warning", "request.args is written to the log by logger.info() with its line breaks (CWE-117)")],
    ),
    # CWR105: numpy.load with allow_pickle=True unpickles.
    "numpy allow_pickle": (
        "import numpy\nfrom flask import request\n\n\ndef view():\n"
        "    return numpy.load(request.files['f'], allow_pickle=True)\n",
        [("CWR105", 6, 12, "error", "request.files is deserialized by numpy.load(), which can run code (CWE-502)")],
    ),
    # CWR610: a timeout on the pool manager covers its requests.
    "urllib3 pool timeout": (
        "import urllib3\n\n\ndef get(url):\n    return urllib3.PoolManager(timeout=5).request('GET', url)\n\n\n"
        "def get2(url):\n    return urllib3.PoolManager().request('GET', url)\n",
        [("CWR610", 9, 12, "warning",
          "urllib3 request without timeout= (nor one on its PoolManager) can wait forever (CWE-400)")],
    ),
    # CWR607: tz= makes an aware datetime.
    "aware now": ("import datetime\n\n\ndef f():\n    return datetime.datetime.now(tz=datetime.timezone.utc)\n", []),
    # CWR204: a sensitive name on the right of a concatenation, inside a call too.
    "sensitive names concatenated": (
        "import logging\nlog = logging.getLogger()\n\n\ndef f(user):\n    log.info('user ' + user.password)\n"
        "    log.info('user ' + str(user.api_token))\n",
        [("CWR204", 6, 5, "warning", "`password` is logged in full (CWE-532)"),
         ("CWR204", 7, 5, "warning", "`api_token` is logged in full (CWE-532)")],
    ),
    # CWR204: "%" formatting of the custom-resource event, not of its context.
    "custom resource event %-formatted": (
        "import logging, cfnresponse\nlog = logging.getLogger()\n\n\ndef handler(event, context):\n"
        "    log.info('got %s' % context)\n    log.info('got %s' % event)\n"
        "    if event['RequestType'] == 'Create':\n        cfnresponse.send(event, context, 'SUCCESS', {})\n",
        [("CWR204", 7, 5, "warning",
          "the whole CloudFormation custom-resource event `event` is logged, with its pre-signed ResponseURL: "
          "whoever reads the log can send the stack a SUCCESS or FAILED of their own (CWE-532)")],
    ),
    # -- survivors of the review-rules sample of seed 20 (bench/mutation-report.md) --
    "hashed password read through an attribute chain": (
        "import hashlib\n\n\ndef store(form):\n    return hashlib.sha256(form.password.data.encode()).hexdigest()\n",
        [("CWR303", 5, 12, "error", "`password` is hashed with sha256, which is fast to brute-force (CWE-916)")],
    ),
    "hashlib.new with the data by keyword": (
        "import hashlib\n\n\ndef store(password):\n    return hashlib.new('sha1', data=password.encode()).hexdigest()\n",
        [("CWR303", 5, 12, "error", "`password` is hashed with SHA-1, which is fast to brute-force (CWE-916)"),
         ("CWR304", 5, 12, "info", "SHA-1 is broken for security uses; pass usedforsecurity=False if this digest is only a checksum (CWE-328)")],
    ),
    "a session imported under another name": (
        "import random\nfrom flask import Flask, session as sess\napp = Flask(__name__)\n\n\n@app.route('/x')\n"
        "def view():\n    sess['n'] = random.random()\n    return 'ok'\n",
        [("CWR305", 8, 17, "error", "random.random() is predictable, and its value reaches the session (CWE-338)")],
    ),
    "PyJWT 1 verify=False": (
        "import jwt\n\n\ndef claims(token, key):\n    return jwt.decode(token, key, verify=False)\n",
        [("CWR308", 5, 12, "error", "jwt.decode(verify=False) accepts tokens with any signature (CWE-347)")],
    ),
    "verify_mode set to CERT_NONE": (
        "import ssl\n\n\ndef context():\n    ctx = ssl.create_default_context()\n    ctx.check_hostname = False\n"
        "    ctx.verify_mode = ssl.CERT_NONE\n    return ctx\n",
        [("CWR302", 6, 5, "error", "check_hostname = False accepts a certificate issued for any host (CWE-295)"),
         ("CWR302", 7, 5, "error", "verify_mode = CERT_NONE accepts any certificate (CWE-295)")],
    ),
    "cert_reqs as a string": (
        "import urllib3\n\n\ndef pool():\n    return urllib3.PoolManager(cert_reqs='CERT_NONE')\n",
        [("CWR302", 5, 32, "error", "cert_reqs=CERT_NONE accepts any certificate (CWE-295)")],
    ),
    "PyCryptodome key size by keyword": (
        "from Crypto.PublicKey import RSA\n\n\ndef key():\n    return RSA.generate(bits=1024)\n",
        [("CWR312", 5, 12, "error", "a 1024-bit key is too short; use at least 2048 bits (CWE-326)")],
    ),
    "group permissions only": (
        "import os, stat\n\n\ndef share(path):\n    os.chmod(path, stat.S_IRWXU | stat.S_IRWXG)\n",
        [],
    ),
    "group permissions and world write": (
        "import os, stat\n\n\ndef share(path):\n    os.chmod(path, stat.S_IRWXU | stat.S_IRWXG | stat.S_IWOTH)\n",
        [("CWR307", 5, 5, "error", "mode 0o772 lets every user on the machine write here (CWE-732)")],
    ),
    "group execute and world write": (
        "import os, stat\n\n\ndef share(path):\n    os.chmod(path, stat.S_IRWXU | stat.S_IXGRP | stat.S_IWOTH)\n",
        [("CWR307", 5, 5, "error", "mode 0o712 lets every user on the machine write here (CWE-732)")],
    ),
    # A dict named `cache` is no session; an options dict that turns off another check keeps the signature's.
    "a random value in a dict that is not the session": (
        "import random\n\n\ndef remember(cache):\n    cache['n'] = random.random()\n", [],
    ),
    "jwt options that skip only the expiry": (
        "import jwt\n\n\ndef claims(token, key):\n"
        "    return jwt.decode(token, key, algorithms=['HS256'], options={'verify_exp': False})\n", [],
    ),
    "flask.globals.session": (
        FLASK + "from flask.globals import session\n\n\n@app.route('/r')\ndef r():\n"
        "    session['role'] = request.args['role']\n    return 'ok'\n",
        [("CWR122", 9, 5, "warning", "request.args is stored in the session without validation (CWE-501)")],
    ),
    "aiohttp.request without a timeout": (
        "import aiohttp\n\n\nasync def fetch(url):\n    async with aiohttp.request('GET', url) as r:\n"
        "        return await r.text()\n",
        [("CWR610", 5, 16, "info", "aiohttp.request() without timeout= waits up to aiohttp's default of 5 minutes (CWE-400)")],
    ),
    "tar members chosen by keyword": (
        "import tarfile\n\n\ndef unpack(path, dest, pick):\n    with tarfile.open(path) as tar:\n"
        "        tar.extractall(dest, members=pick(tar))\n",
        [],
    ),
    "a tuple returned by a route": (
        FLASK + "@app.route('/hi')\ndef hi():\n    return f\"<p>{request.args['name']}</p>\", 200\n", [("CWR110", 6, 5, "error", "request.args is returned as HTML by a route without escaping (CWE-79)")],
    ),
    "headers of a response": (
        FLASK + "from flask import Response\n\n\n@app.route('/r')\ndef r():\n"
        "    return Response('ok', headers={'X-Name': request.args['n']})\n", [("CWR118", 9, 12, "warning", "request.args is written into the headers of flask.Response() (CWE-113)")],
    ),
    "SQL formatted from a method's result": (
        "def find(cur, name):\n    cur.execute(f\"SELECT * FROM users WHERE name = '{name.lower()}'\")\n", [("CWR120", 2, 5, "info", "cur.execute() runs SQL built by formatting values into the text (CWE-89)")],
    ),
    "shell command: a quoted part, then an unquoted one": (
        "import os, shlex\n\n\ndef run(d, e):\n    os.system(shlex.quote(d) + ' && ls ' + e)\n", [("CWR103", 5, 5, "warning", "os.system() runs a shell command built from a variable that is not shell-quoted (CWE-78)")],
    ),
    "an upper-case parameter formatted into SQL": (
        "def find(cur, ID):\n    cur.execute(f'SELECT * FROM t WHERE id = {ID}')\n", [("CWR120", 2, 5, "info", "cur.execute() runs SQL built by formatting `ID` into the text (CWE-89)")],
    ),
    "a Django view's session through self.request": (
        "from django.views import View\n\n\nclass Prefs(View):\n    def get(self, request):\n"
        "        self.request.session['role'] = request.GET['role']\n", [("CWR122", 6, 9, "warning", "request.GET is stored in the session without validation (CWE-501)")],
    ),
    "a process waited for": (
        "import subprocess\n\n\ndef run():\n    p = subprocess.Popen(['ls'])\n    p.wait()\n", [("CWR609", 6, 5, "info", "subprocess.Popen.wait() waits for the child without a timeout (CWE-400)")],
    ),
    # CWR101's needles are not in this file (no `execute`): only its method sink `mogrify` makes the rule read it.
    "SQL built into mogrify": (
        FLASK + "@app.route('/q')\ndef q():\n    cur = app.db.cursor()\n"
        "    return cur.mogrify(\"SELECT * FROM t WHERE a = '\" + request.args['a'] + \"'\")\n",
        [("CWR101", 7, 12, "error", "SQL built from request.args is passed to cur.mogrify(): the data can rewrite the query (CWE-89)")],
    ),
    "an upload saved under a name from the form": (
        FLASK + "@app.route('/up', methods=['POST'])\ndef up():\n    f = request.files['f']\n"
        "    f.save('/srv/uploads/' + request.form['name'])\n    return 'ok'\n",
        [("CWR107", 7, 5, "error", "request.form chooses the file path used by f.save(); `../` can reach any file (CWE-22)")],
    ),
    "a connection closed at once": (
        "import sqlite3\n\n\ndef create(path):\n    sqlite3.connect(path).close()\n", [],
    ),
    "a default rebound, not changed": (
        "def add(x, items=[]):\n    items = items + [x]\n    return items\n", [("CWR601", 1, 18, "info", "the default of `items` is created once and shared by every call (CWE-665)")],
    ),
    "a custom resource named only by RequestType": (
        "import boto3\n\n\ndef handler(event, context):\n    if event['RequestType'] == 'Create':\n"
        "        pass\n    s3 = boto3.client('s3')\n    return s3.list_buckets()\n", [("CWR401", 7, 10, "warning", "boto3.client() runs on every invocation; create it once at module level (CWE-1050)")],
    ),
    "one page asked for by MaxResults": (
        "import boto3\nec2 = boto3.client('ec2')\n\n\ndef first():\n    return ec2.describe_instances(MaxResults=1)\n",
        [],
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(tmp_path: Path, name: str) -> None:
    source, expected = CASES[name]
    assert findings(tmp_path, source) == expected


def test_a_projects_own_sink_is_a_needle(tmp_path: Path) -> None:
    # No library sink, no rule needle in the file: only the sink the project declares makes CWR101 look at it.
    (tmp_path / "pyproject.toml").write_text(
        "[tool.codeward.reviewer.taint]\n"
        'sources = [{ name = "myapp.http.param", description = "a request parameter" }]\n'
        'sinks = [{ name = "myapp.db.fetch_rows", kind = "sql", args = [0] }]\n'
    )
    (tmp_path / "app.py").write_text(
        "from myapp.http import param\nfrom myapp.db import fetch_rows\n\n\ndef view():\n    fetch_rows(param('c'))\n"
    )
    code, out, err = run_cli("review", "--no-cache", "--format", "concise", "app.py", cwd=str(tmp_path))
    assert (code, err) == (1, "")
    assert out.splitlines()[0] == (
        "app.py:6:5: CWR101 SQL built from a request parameter is passed to myapp.db.fetch_rows(): the data can "
        "rewrite the query (CWE-89) [sql-injection]"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Zq8v2LmT9xWc4RbK", True),
        ("short", False),  # under 6 characters
        ("two words here", False),  # spaces
        ("aaaaaaaa", False),  # fewer than 4 distinct characters
        ("/etc/app/key", False),  # a path
        ("https://example.com/x", False),
        (r"[^\W\d]\w*", False),  # a regular expression
        ("x-auth-token", False),  # a credential's name, not its value
        ("DB_PASSWORD", False),  # an environment variable's name
        ("Db_Password9", True),
        (r"\d{4}-\d{2}-\d{2}", False),  # a regular expression by its escapes alone
        ("%Zq8v2LmT9xWc4RbK%", False),  # a %-reference (a format field, a Windows variable), whatever it names
        # A lowercase name made of credential words is a name up to 24 characters, a value past that (seed 28).
        ("aws_secret_access_key_id", False),
        ("aws_secret_access_key_ids", True),
    ],
)
def test_looks_like_secret(value: str, expected: bool) -> None:
    assert looks_like_secret(value) is expected


def test_logger_warn_is_fixed_to_warning(tmp_path: Path) -> None:
    path = tmp_path / "case.py"
    path.write_text("import logging\nlogger = logging.getLogger(__name__)\n\n\ndef f():\n    logger.warn('x')\n")
    (finding,) = review_file(str(path)).findings
    assert (finding.code, finding.line, finding.column, finding.message) == (
        "CWR608",
        6,
        5,
        "Logger.warn() is deprecated; use warning() (CWE-477)",
    )
    assert finding.fix is not None and finding.fix.description == "use warning"
    assert [(e.span.line, e.span.column, e.span.end_column, e.text) for e in finding.fix.edits] == [
        (6, 12, 16, "warning")
    ]


def test_a_basic_auth_password_is_masked_on_the_source_line(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "import requests\n\n\ndef get(url):\n    return requests.get(url, auth=('deploy', 'Zq8v2LmT9xWc4RbK'), timeout=5)  # was Zq8v2LmT9xWc4RbK\n"
    )
    # CWR202 is at info by default (under the bar on real code): asked for, it reports at its own severity.
    code, out, _ = run_cli("review", "--no-cache", "--isolated", "--color", "never", "--extend-select", "CWR202",
                           "app.py", cwd=str(tmp_path))  # fmt: skip
    assert code == 1
    assert "hard-coded HTTP basic-auth password (Zq8v************)" in out
    assert "Zq8v2LmT9xWc4RbK" not in out
    # The span and the same value elsewhere on the line are masked.
    assert "'deploy', 'Zq8v************'), timeout=5)  # was Zq8v************" in out


def test_yaml_load_all_is_fixed_to_safe_load_all(tmp_path: Path) -> None:
    path = tmp_path / "case.py"
    path.write_text("import yaml\n\n\ndef docs(text):\n    return list(yaml.load_all(text))\n")
    (finding,) = review_file(str(path)).findings
    assert (finding.code, finding.fix.description, [e.text for e in finding.fix.edits]) == (
        "CWR106", "use yaml.safe_load_all", ["safe_load_all"])  # fmt: skip


# Seed 22's survivors (bench/mutation-report.md): source, and every finding of the file.
_WRAPPED = (
    "import boto3\nfrom boto3 import Session\nfrom mylib import boto_helpers\n\nclass Meta:\n    ddb_client = {}\n\n"
    "    def names(self):\n        return [i['name'] for i in self.ddb_client.scan(TableName='t')['Items']]\n"
)
_SCAN = ("CWR402", 9, 36, "warning", "scan() returns one page only and nothing here asks for the next (CWE-1050)")
_ARCHIVE = "self.downloaded_release_archive_of_the_particular_tool_version"  # longer than 60 characters
SEED_22 = {
    # An attribute set from boto3's Session or from a module whose path says boto is no wrapper of the project's.
    "client attribute from a boto3 Session": (_WRAPPED.format("Session()"), [_SCAN]),
    "client attribute from a boto helper": (_WRAPPED.format("boto_helpers.Table('t')"), [_SCAN]),
    "client attribute from a class of the project": (_WRAPPED.format("DynamoDBUtil('t')"), []),
    "describe_images by ImageIds": (
        "import boto3\nec2 = boto3.client('ec2')\n\ndef ami(i):\n"
        "    return ec2.describe_images(ImageIds=[i], Filters=[{'Name': 'state', 'Values': ['available']}])\n",
        [],
    ),
    "polling with asyncio.sleep": (
        "import asyncio, boto3\ncfn = boto3.client('cloudformation')\n\nasync def wait(name):\n    while True:\n"
        "        status = cfn.describe_stacks(StackName=name)['Stacks'][0]['StackStatus']\n"
        "        if status.endswith('COMPLETE'):\n            return status\n        await asyncio.sleep(10)\n",
        [("CWR403", 6, 18, "info", "polling describe_stacks() in a sleep loop; boto3 has a waiter for this (CWE-1050)"),
         ("CWR408", 6, 18, "info", "describe_stacks() raises ClientError for common conditions and nothing here handles it (CWE-755)")],
    ),
    "ECB mode by keyword": (
        "from Crypto.Cipher import AES\n\ndef enc(key, data):\n    return AES.new(key, mode=AES.MODE_ECB).encrypt(data)\n",
        [("CWR310", 4, 30, "error", "ECB mode encrypts equal blocks to equal ciphertext (CWE-327)")],
    ),
    "2048 bits is enough, 2047 is not": (
        "from Crypto.PublicKey import RSA\n\ndef make():\n    return RSA.generate(2048), RSA.generate(2047)\n",
        [("CWR312", 4, 32, "error", "a 2047-bit key is too short; use at least 2048 bits (CWE-326)")],
    ),
    # The archive's text is compared whole, however long (not as shortened for messages).
    "a long archive name checked before extraction": (
        f"import tarfile\n\n\nclass I:\n    def unpack(self, dest):\n        {_ARCHIVE} = tarfile.open('x.tgz')\n"
        f"        check_members({_ARCHIVE})\n        {_ARCHIVE}.extractall(dest)\n",
        [],
    ),
    # Django's request.body is a JSON document once parsed: a whole value of it can be an operator object.
    "a filter from request.body": (
        "import json\n\n\ndef view(request, db):\n    data = json.loads(request.body)\n    return db.users.find_one(data['filter'])\n",
        [("CWR115", 6, 12, "error", "request.body is used as a MongoDB query in db.users.find_one(); it can carry query operators (CWE-943)")],
    ),
    "closed on the next statement": (
        "import socket\n\n\ndef probe(host):\n    s = socket.create_connection((host, 80), timeout=3)\n    s.close()\n", []
    ),
    # A connection handed to a call that only looks at it stays open; handed to other code, that code owns it.
    "a connection only looked at": (
        "import sqlite3\n\n\ndef usable(path):\n    return isinstance(sqlite3.connect(path), sqlite3.Connection)\n",
        [("CWR501", 5, 23, "warning", "this database connection is used without being closed; the handle stays open until garbage collection (CWE-772)")],
    ),
    "a connection handed over": ("import sqlite3\n\n\ndef keep(pool, path):\n    pool.register(sqlite3.connect(path))\n", []),
    "a default stored by a class that changes it": (
        "class Basket:\n    def __init__(self, items):\n        self.items = items\n\n    def add(self, item):\n"
        "        self.items.append(item)\n\n\ndef make(items=[]):\n    return Basket(items)\n",
        [("CWR601", 9, 16, "warning", "the default of `items` is created once and shared by every call, and Basket changes it (CWE-665)")],
    ),
    "a default changed by a call after a builtin's": (
        "def fill(items):\n    items.append(1)\n\n\ndef make(items=[]):\n    print(len(items))\n    fill(items)\n    return items\n",
        [("CWR601", 5, 16, "warning", "the default of `items` is created once and shared by every call, and fill changes it (CWE-665)")],
    ),
    "a long logger receiver is shortened to 60 characters": (
        "import logging\n\n\nclass Job:\n    def run(self):\n        self.nightly_report_job_for_the_particular_pipeline_stage_logger.warn('x')\n",
        [("CWR608", 6, 9, "info", "if `self.nightly_report_job_for_the_particular_pipeline_stage...` is a logging.Logger, warn() is deprecated; use warning() (CWE-477)")],
    ),
    "a page cursor read by subscript": ("def servers(page):\n    token = page['NextToken']\n    print(token)\n", []),
    "a custom-resource event dumped to JSON": (
        "import json, logging, cfnresponse\nlog = logging.getLogger()\n\ndef handler(event, context):\n"
        "    log.info('received %s', json.dumps(event))\n    cfnresponse.send(event, context, cfnresponse.SUCCESS, {})\n",
        [("CWR204", 5, 5, "warning", "the whole CloudFormation custom-resource event `event` is logged, with its pre-signed ResponseURL: whoever reads the log can send the stack a SUCCESS or FAILED of their own (CWE-532)")],
    ),
    "aiohttp's BasicAuth": (
        "import aiohttp\n\n\ndef auth():\n    return aiohttp.BasicAuth('deploy', 'Zq8kLm2vR9wX4pT7')\n",
        [("CWR202", 5, 40, "warning", "hard-coded HTTP basic-auth password (Zq8k************) (CWE-798)")],
    ),
}  # fmt: skip


def test_each_taint_rule_reads_its_own_kind_of_sinks_from_the_models() -> None:
    from codeward.reviewer.rules.injection import CommandInjection, NoSqlInjection, SqlInjection

    assert "os.system" in CommandInjection.calls and "os.system" not in SqlInjection.calls
    assert "execute" in SqlInjection.methods and "execute" not in CommandInjection.methods
    assert NoSqlInjection.calls == {} and "find_one" in NoSqlInjection.methods
    words = SqlInjection.sink_words()
    assert words == tuple(sorted(words)) and "execute(" in words and "system(" not in words
    assert "system(" in CommandInjection.sink_words()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("QUERY = 'SELECT name FROM users WHERE id = %s'\n", True),
        ("QUERY: str = 'SELECT name FROM users WHERE id = %s'\n", True),
        ("QUERIES = {'all': 'SELECT * FROM users'}\n", True),
        ("QUERY: str\nlog = print\n", False),  # assignments without SQL text
        ('"""Select users by name."""\n', False),  # a docstring is no constant
        ("print('SELECT * FROM users')\n", False),
        ("if True:\n    QUERY = 'SELECT * FROM users'\n", False),  # only the body's own statements
    ],
)
def test_the_constants_a_module_holds_sql_in(body: str, expected: bool) -> None:
    """The pre-filter CWR120 asks before reading a query helper's argument (a cost bound: its docstring)."""
    import libcst
    from codeward.reviewer.rules.injection import _constants_hold_sql

    assert _constants_hold_sql(libcst.parse_module(body).body) is expected


@pytest.mark.parametrize(
    ("callee", "expected"),
    [("run", True), ("db.add", True), ("db.run_query", False), ("execute", False), ("db . add", True),
     ("db.\\\n    add", True), ("(db.add)", False), ("helpers[0]", False), ("db.Query", False)],
)  # fmt: skip
def test_a_callee_plainly_no_sql_helper(callee: str, expected: bool) -> None:
    """Decided without printing the code: a plain name, or a dot with plain blanks (a line continuation
    included) around it; anything else (parentheses, a subscript) is left to the printed text."""
    import libcst
    from codeward.reviewer.rules.injection import _plainly_not_helper

    func = libcst.parse_expression(f"{callee}(x)").func
    assert bool(_plainly_not_helper(func)) is expected


# Seed 23's survivors (a fresh sample, measured before these cases were written): source and every finding.
SEED_23 = {
    "builtins.eval by its module": (
        "import builtins\n\n\ndef calc(expr):\n    return builtins.eval(expr)\n",
        [("CWR121", 5, 12, "warning", "builtins.eval() runs code from `expr`, which is not a literal (CWE-95)")],
    ),
    "quart's session": (
        "from quart import Quart, request, session\napp = Quart(__name__)\n\n\n@app.route('/x')\nasync def view():\n"
        "    session['user'] = request.args['u']\n    return 'ok'\n",
        [("CWR122", 7, 5, "warning", "request.args is stored in the session without validation (CWE-501)")],
    ),
    "one record asked for": (
        "import boto3\nrds = boto3.client('rds')\n\ndef one():\n    return rds.describe_db_instances(MaxRecords=1)['DBInstances']\n",
        [],
    ),
    "a password printed through repr": (
        "def show(password):\n    print(repr(password))\n",
        [("CWR204", 2, 5, "warning", "`password` is printed in full (CWE-532)")],
    ),
    "an annotated page cursor": ("def servers(page):\n    token: str = page['NextToken']\n    print(token)\n", []),
    "a constant document with the full loader": (
        "import yaml\n\nDOC = 'a: 1'\n\n\ndef read():\n    return yaml.load(DOC, Loader=yaml.Loader)\n", []
    ),
    "markdown through a sanitizer imported by name": (
        "import markdown\nfrom bleach import clean\n\n\ndef render(text):\n    return clean(markdown.markdown(text))\n", []
    ),
    "a pathlib chmod": (
        "from pathlib import Path\n\n\ndef share(p):\n    Path(p).chmod(0o777)\n",
        [("CWR307", 5, 5, "error", "mode 0o777 lets every user on the machine write here (CWE-732)")],
    ),
    # A nested def has its own names, and the function's code after it is still walked.
    "a default changed after a nested def": (
        "def make(items=[]):\n    def helper():\n        return 1\n    items.append(helper())\n    return items\n",
        [("CWR601", 1, 16, "warning", "the default of `items` is created once and shared by every call, and this function changes it (CWE-665)")],
    ),
    # Passed past the callee's parameters: the callee cannot change it.
    "a default passed past the callee's parameters": (
        "def fill(a):\n    a.append(1)\n\n\ndef make(items=[]):\n    fill(1, items)\n    return items\n",
        [("CWR601", 5, 16, "info", "the default of `items` is created once and shared by every call (CWE-665)")],
    ),
    # In a loop of the handler, the client is made once per record: a warning, not the note for a rare branch.
    "a client made in a loop inside a branch of a handler": (
        "import boto3\n\n\ndef handler(event, context):\n    if event.get('x'):\n        for r in event['Records']:\n"
        "            s3 = boto3.client('s3')\n            s3.put_object(Bucket='b', Key=r['k'], Body=b'')\n",
        [("CWR401", 7, 18, "warning", "boto3.client() runs on every invocation; create it once at module level (CWE-1050)"),
         ("CWR405", 8, 13, "info", "put_object() without ExpectedBucketOwner trusts whoever owns the bucket name (CWE-284)")],
    ),
    # A module constant holding SQL puts a query helper's formatted argument in reach of CWR120.
    "a query helper given a module constant's SQL": (
        "QUERY = \"SELECT * FROM users WHERE name = '%s'\"\n\n\ndef rows(db, name):\n    return db.run_query(QUERY % name)\n",
        [("CWR120", 5, 12, "info", "db.run_query() runs SQL built by formatting `name` into the text (CWE-89)")],
    ),
}  # fmt: skip


# Seed 24's survivors (bench/mutation-report.md, seventh pass), the two written so far.
SEED_24 = {
    # CWR309 is Flask's (and Quart's) debugger: another framework's run(debug=True), or an object of unknown
    # origin, is not reported (the `or` mutant reported the first and crashed on the second).
    "run(debug=True) of neither Flask nor an app": (
        "import uvicorn\n\n\ndef main(runner):\n    uvicorn.run('m:app', debug=True)\n    runner.run(debug=True)\n", []
    ),
    # CWR409: the service is the first argument only when it is positional; named after region_name, it is still
    # IAM's, whose home region us-east-1 is not reported.
    "a service named after the region": (
        "import boto3\n\nec2 = boto3.client(region_name='eu-west-1', service_name='ec2')\n"
        "iam = boto3.client(region_name='us-east-1', service_name='iam')\n",
        [("CWR409", 3, 20, "info", "region 'eu-west-1' is hard-coded (CWE-547)")],
    ),
}  # fmt: skip


# Seed 25's survivors (bench/mutation-report.md, eighth pass): each case fails against its mutant.
SEED_25 = {
    # CWR401: a handler that reads both is a custom resource's even without answering CloudFormation: info.
    'a custom-resource handler reading RequestType and ResourceProperties': (
        "import boto3\n\n\ndef handler(event, context):\n    s3 = boto3.client('s3')\n    if event['RequestType'] == 'Create':\n        s3.create_bucket(Bucket=event['ResourceProperties']['Name'])\n",
        [('CWR401', 5, 10, 'info', 'boto3.client() runs on every invocation of this custom-resource handler; it is called only on stack changes, so module level is a matter of style here (CWE-1050)'),
         ('CWR408', 7, 9, 'info', 'create_bucket() raises ClientError for common conditions and nothing here handles it (CWE-755)')],
    ),
    # CWR401: ResourceProperties without RequestType is not enough: a warning.
    'a handler reading ResourceProperties only': (
        "import boto3\n\n\ndef handler(event, context):\n    s3 = boto3.client('s3')\n    s3.create_bucket(Bucket=event['ResourceProperties']['Name'])\n",
        [('CWR401', 5, 10, 'warning', 'boto3.client() runs on every invocation; create it once at module level (CWE-1050)'),
         ('CWR408', 6, 5, 'info', 'create_bucket() raises ClientError for common conditions and nothing here handles it (CWE-755)')],
    ),
    # CWR407: a filter list grown by `extend` of a display is read whole: its owner-id filter counts.
    'an owner filter added by extend': (
        "def find(ec2):\n    filters = [{'Name': 'name', 'Values': ['al2023-ami-*']}]\n    filters.extend([{'Name': 'owner-id', 'Values': ['137112412989']}])\n    return ec2.describe_images(Filters=filters)\n",
        [],
    ),
    # A parameter named like a client (not a `self.` attribute) is a client: CWR402 and CWR405.
    'a client parameter named s3': (
        "import boto3\n\n\ndef keys(s3):\n    return s3.list_objects_v2(Bucket='b')['Contents']\n",
        [('CWR402', 5, 12, 'warning', 'list_objects_v2() returns one page only and nothing here asks for the next (CWE-1050)'),
         ('CWR405', 5, 12, 'info', 'list_objects_v2() without ExpectedBucketOwner trusts whoever owns the bucket name (CWE-284)')],
    ),
    # CWR305: `session[...] =` on a plain `session` variable is a session.
    'a session parameter': (
        "import random\n\n\ndef login(session):\n    n = random.getrandbits(32)\n    session['nonce'] = n\n",
        [('CWR305', 5, 9, 'error', 'random.getrandbits() is predictable, and its value reaches the session (CWE-338)')],
    ),
    # CWR309: Flask's app by its origin, whatever the variable's name.
    'a Flask app not named app': (
        'from flask import Flask\n\nserver = Flask(__name__)\nserver.run(debug=True)\n',
        [('CWR309', 4, 12, 'error', 'debug=True exposes the interactive debugger: anyone reaching an error page runs code (CWE-489)')],
    ),
    # CWR303: hashlib's constructors take the data as `string=` too.
    'md5 given string=': (
        'import hashlib\n\n\ndef store(password):\n    return hashlib.md5(string=password.encode()).hexdigest()\n',
        [('CWR303', 5, 12, 'error', '`password` is hashed with md5, which is fast to brute-force (CWE-916)'),
         ('CWR304', 5, 12, 'info', 'MD5 is broken for security uses; pass usedforsecurity=False if this digest is only a checksum (CWE-328)')],
    ),
    # CWR106: only assignments to the loader's own name make its alias; `count += 1` is not one.
    'a safe loader alias beside an augmented counter': (
        'import yaml\n\n\ndef parse(s):\n    count = 0\n    count += 1\n    loader = yaml.SafeLoader\n    return yaml.load(s, loader)\n',
        [],
    ),
    # CWR120: the items of a generator joined into SQL are judged as the items.
    'columns joined from a generator': (
        "def rows(cur, cols):\n    cur.execute('SELECT %s FROM users' % ', '.join(c for c in cols))\n",
        [('CWR120', 2, 5, 'info', 'cur.execute() runs SQL built by formatting values into the text (CWE-89)')],
    ),
    # CWR120: `.format(...)` in the call is SQL formatted here.
    'SQL formatted with format()': (
        'def rows(cur, name):\n    cur.execute("SELECT * FROM users WHERE name = \'{}\'".format(name))\n',
        [('CWR120', 2, 5, 'info', 'cur.execute() runs SQL built by formatting values into the text (CWE-89)')],
    ),
    # CWR123: `**options` may set autoescape: not reported.
    'an Environment given **options': (
        "import jinja2\n\n\ndef env(options):\n    return jinja2.Environment(loader=jinja2.FileSystemLoader('t'), **options)\n",
        [],
    ),
    # CWR122: setdefault's first argument is the key, not the stored value.
    'a session key from the request': (
        "from flask import Flask, request, session\napp = Flask(__name__)\n\n\n@app.route('/x')\ndef view():\n    session.setdefault(request.args['k'], 'x')\n    return 'ok'\n",
        [],
    ),
    # CWR501: a tar file over BytesIO holds no descriptor.
    'a tar file read from memory': (
        'import io\nimport tarfile\n\n\ndef names(data):\n    t = tarfile.open(fileobj=io.BytesIO(data))\n    return t.getnames()\n',
        [],
    ),
    # CWR405: a function registered by a dotted decorator (`@app.route`) is an entry point: its parameter is not the deployment's bucket.
    "a bucket from a route's parameter": (
        "import boto3\nfrom flask import Flask\napp = Flask(__name__)\ns3 = boto3.client('s3')\n\n\n@app.route('/put/<bucket>')\ndef put(bucket):\n    s3.put_object(Bucket=bucket, Key='k', Body=b'')\n    return 'ok'\n",
        [('CWR405', 9, 5, 'info', 'put_object() without ExpectedBucketOwner trusts whoever owns the bucket name (CWE-284)')],
    ),
    # CWR103: str() and int() of constants are constants wherever the module calls the function.
    'a command built from str() and int() of constants': (
        "import os\n\n\ndef pause(seconds):\n    os.system('sleep ' + seconds)\n\n\npause(str(5))\npause(str(int('3')))\n",
        [],
    ),
    # CWR613: `if error is not None:` guards like `if error:`.
    'a finally return guarded by is not None': (
        "def f():\n    try:\n        error = None\n        run()\n    except KeyError:\n        error = 'missing'\n    finally:\n        if error is not None:\n            return error\n    return 'ok'\n",
        [('CWR613', 9, 13, 'info', '`return` in finally runs only when `error` is set, which only except blocks that do not re-raise do; it still discards an exception raised in those blocks after it is set (CWE-584)')],
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("expression", "prefix"),
    [
        ("'ls {} -l {}'.format(a, b)", "ls "),
        ("f'ls {a} -l'", "ls "),
        ("f'{a} -l'", ""),
        ("'ls ' + a + ' -l'", "ls "),
        ("'ls %s' % a", "ls %s"),
        ("'ls'", "ls"),
        ("a.format(b)", None),
        ("a", None),
    ],
)
def test_literal_prefix_is_the_text_before_the_first_placeholder(expression: str, prefix: str | None) -> None:
    """What a string-building expression starts with: up to the first `{}` of a format template."""
    from codeward.reviewer.lazy import cst
    from codeward.reviewer.rules._base import literal_prefix

    assert literal_prefix(cst.parse_expression(expression)) == prefix


# Seed 26's survivors (bench/mutation-report.md, eighth pass; a fresh sample): each case fails against its mutant.
SEED_26 = {
    # A Lambda handler whose event parameter is named `evt` is an entry point: the bucket it names is the caller's.
    "a handler taking evt": (
        "import boto3\ns3 = boto3.client('s3')\n\n\ndef handler(evt, ctx):\n"
        "    s3.put_object(Bucket=evt['bucket'], Key='k', Body=b'')\n",
        [("CWR405", 6, 5, "info", "put_object() without ExpectedBucketOwner trusts whoever owns the bucket name (CWE-284)")],
    ),
    # `event.get('ResourceProperties')` is the template's: a bucket named there is the deployment's own.
    "a custom resource's properties read with get": (
        "import boto3\ns3 = boto3.client('s3')\n\n\ndef handler(event, context):\n"
        "    props = event.get('ResourceProperties')\n    s3.put_object(Bucket=props['Bucket'], Key='k', Body=b'')\n",
        [],
    ),
    # CWR105: what this code dumped itself is its own data (the mutant made the review fail, CWR900).
    "pickle of what the function dumped": (
        "import pickle\n\n\ndef clone(x):\n    return pickle.loads(pickle.dumps(x))\n", []
    ),
    # CWR105: a buffer made here and filled only by pickle.dump is this code's own data too (bandit's example).
    "pickle of a buffer the function dumped into": (
        "import io\nimport pickle\n\n\ndef clone(x):\n    buf = io.BytesIO()\n    pickle.dump(x, buf)\n"
        "    buf.seek(0)\n    return pickle.load(buf)\n",
        [],
    ),
    "pickle of a module-level buffer in a with block": (
        "import pickle\nfrom io import BytesIO\n\nwith BytesIO() as buf:\n    pickle.dump([1, 2], file=buf)\n"
        "    buf.seek(0)\n    print(pickle.Unpickler(buf).load())\n",
        [],
    ),
    # ... but not one written otherwise, made from data, or a module's buffer that a function writes into.
    "pickle of a buffer written with data": (
        "import io\nimport pickle\n\n\ndef load(body):\n    buf = io.BytesIO()\n    buf.write(body)\n"
        "    buf.seek(0)\n    return pickle.load(buf)\n",
        [("CWR105", 9, 12, "info", "pickle.load() can run code from the data it loads; make sure no one else can write it (CWE-502)")],
    ),
    "pickle of a buffer made from data": (
        "import io\nimport pickle\n\n\ndef load(body):\n    return pickle.load(io.BytesIO(body))\n",
        [("CWR105", 6, 12, "info", "pickle.load() can run code from the data it loads; make sure no one else can write it (CWE-502)")],
    ),
    "pickle of a module's buffer another function writes": (
        "import io\nimport pickle\n\nshared = io.BytesIO()\n\n\ndef load():\n    shared.seek(0)\n"
        "    return pickle.load(shared)\n\n\ndef fill(data):\n    shared.write(data)\n",
        [("CWR105", 9, 12, "info", "pickle.load() can run code from the data it loads; make sure no one else can write it (CWE-502)")],
    ),
    # CWR305: an attribute target names what the random value makes.
    "a token assigned to an attribute": (
        "import random\n\n\nclass S:\n    def new(self):\n        self.reset_token = random.getrandbits(64)\n",
        [("CWR305", 6, 28, "error", "random.getrandbits() is predictable, yet it makes `reset_token` (CWE-338)")],
    ),
}  # fmt: skip

SEED_27 = {
    # urllib3's module-level request() is an HTTP call like requests.get().
    "urllib3.request without a timeout": (
        "import urllib3\n\n\ndef get(u):\n    return urllib3.request('GET', u)\n",
        [("CWR610", 5, 12, "warning", "urllib3.request() without timeout= can wait forever (CWE-400)")],
    ),
    # HTTPDigestAuth's second argument is a password, as HTTPBasicAuth's is.
    "a digest-auth password": (
        "import requests\nfrom requests.auth import HTTPDigestAuth\n\n\ndef get(u):\n"
        "    return requests.get(u, auth=HTTPDigestAuth('deploy', 'Xq7!vLp9#mW2'), timeout=5)\n",
        [("CWR202", 6, 58, "warning", "hard-coded HTTP basic-auth password (Xq7*********) (CWE-798)")],
    ),
    # Only setFeature() turns a SAX feature on: the feature's name given True elsewhere is not.
    "a SAX feature name given True outside setFeature": (
        "from xml.sax.handler import feature_external_ges\n\nflags = {}\nflags.setdefault(feature_external_ges, True)\n",
        [],
    ),
    # Markup() is not a sanitiser: markdown's HTML wrapped in it is still reported (bleach.clean around it is not).
    "markdown wrapped in Markup": (
        "import markdown\nfrom markupsafe import Markup\n\n\ndef render(text):\n    return Markup(markdown.markdown(text))\n",
        [("CWR123", 6, 19, "info", "markdown.markdown() turns `text` into HTML and keeps any HTML it contains: if the "
          "text can come from users, sanitise the output (`bleach.clean`, `nh3.clean`) before it reaches a page (CWE-79)")],
    ),
    "markdown sanitised inside Markup": (
        "import bleach\nimport markdown\nfrom markupsafe import Markup\n\n\ndef render(text):\n"
        "    return Markup(bleach.clean(markdown.markdown(text)))\n",
        [],
    ),
}  # fmt: skip


# Every seed's survivors, each table kept where its seed's cases were written (bench/mutation-report.md names them).
SEED_28 = {
    # mark_safe's argument given by its name (`s=`) is the HTML marked safe, as the positional one is.
    "mark_safe(s=...) of a parameter's text in markup": (
        "from django.utils.safestring import mark_safe\n\n\ndef bold(text):\n    return mark_safe(s='<b>' + text + '</b>')\n",
        [("CWR124", 5, 12, "info", "mark_safe() marks HTML built from `text` as safe without escaping it; a caller "
          "passing text with markup in it injects that markup into the page (CWE-79)")],
    ),
    # os.execl(path, "sh", "-c", script, name): the arguments after the script are $0, $1...; the script is still
    # the third.
    "os.execl of sh -c with arguments after the script": (
        "import os\n\n\ndef run(cmd):\n    os.execl('/bin/sh', 'sh', '-c', cmd, 'name')\n",
        [("CWR103", 5, 5, "info", "os.execl() runs `cmd` as a shell command as it is: check that no caller builds "
          "it from outside input (CWE-78)")],
    ),
    # A credential-named value on the left of a concatenation is logged in full, as on the right.
    "a password concatenated first into a log message": (
        "import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef login(user, password):\n    log.info(password + ' for ' + user)\n",
        [("CWR204", 7, 5, "warning", "`password` is logged in full (CWE-532)")],
    ),
}  # fmt: skip

_LONG = "archive_" + "x" * 202  # a name longer than the 200 characters of code compared
SEED_29 = {
    # CWR613: `error = False` in the try body resets the flag as `error = None` does; only the handler sets it.
    "a finally return guarded by a flag the try body sets to False": (
        "def f():\n    try:\n        error = False\n        run()\n    except KeyError:\n        error = 'missing'\n"
        "    except Exception as ex:\n        raise ex\n    finally:\n        log()\n        if error:\n"
        "            return error\n    return 'ok'\n",
        [("CWR613", 12, 13, "info", "`return` in finally runs only when `error` is set, which only except blocks that do "
          "not re-raise do; it still discards an exception raised in those blocks after it is set (CWE-584)")],
    ),
    # A structlog logger called on the module (no logger-like name in the receiver) is a logging call.
    "a password logged through structlog.get_logger()": (
        "import structlog\n\n\ndef login(user, password):\n    structlog.get_logger().info(password)\n",
        [("CWR204", 5, 5, "warning", "`password` is logged in full (CWE-532)")],
    ),
    # hashlib.new's data given by its name: a certificate's thumbprint, not a weak hash the code chose.
    "hashlib.new('sha1', data=der_cert) is a thumbprint": (
        "import hashlib\n\n\ndef thumbprint(der_cert):\n    return hashlib.new('sha1', data=der_cert).hexdigest()\n",
        [],
    ),
    # set_cookie's key given by its name is the cookie the message names.
    "set_cookie(key='session') names the cookie": (
        "from flask import Flask, make_response\n\napp = Flask(__name__)\n\n\n@app.route('/login')\ndef login():\n"
        "    response = make_response('ok')\n    response.set_cookie(key='session', value='abc')\n    return response\n",
        [("CWR314", 9, 5, "warning", "'session' is set without secure=True and httponly=True (CWE-614)")],
    ),
    # A ZipFile over a file object from `fh = open(...)` opens nothing of its own: fh is the resource, closed here.
    "a ZipFile over an opened file object that is closed": (
        "import zipfile\n\n\ndef names(path):\n    fh = open(path, 'rb')\n    archive = zipfile.ZipFile(fh)\n"
        "    listed = archive.namelist()\n    fh.close()\n    return listed\n",
        [],
    ),
    # Another annotated assignment in the function is not one of `token`'s values: token stays a page cursor.
    "a page cursor logged beside an annotated assignment": (
        "import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef pages(page):\n    limit: int = 10\n"
        "    token = page[\"NextToken\"]\n    log.info(token)\n    return limit\n",
        [],
    ),
    # Only open(password) or open(str(password)) makes `password` a file's path, not open(make_path(password)).
    "a password passed through a call to open() is still a secret": (
        "import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef store(password):\n"
        "    with open(make_path(password)) as handle:\n        handle.write('x')\n    log.info(password)\n",
        [("CWR204", 9, 5, "warning", "`password` is logged in full (CWE-532)")],
    ),
    # CWR120: a SQL template in a variable, formatted with `.format(...)` (not only with `%`).
    "a SQL template in a variable formatted with .format": (
        "def find(cursor, name):\n    query = \"SELECT * FROM users WHERE name = {}\"\n"
        "    cursor.execute(query.format(name))\n",
        [("CWR120", 3, 5, "info", "cursor.execute() runs SQL built by formatting values into the text (CWE-89)")],
    ),
    # An f-string without a placeholder is a literal: exec() of it runs fixed code.
    "exec of an f-string without placeholders": ("def run():\n    exec(f\"import sys\")\n", []),
    # An empty name prefix matches every log group: [0] is the first of all groups, not the one named.
    "describe_log_groups with an empty prefix read at [0]": (
        "import boto3\n\nlogs = boto3.client('logs')\n\n\ndef first_group():\n"
        "    return logs.describe_log_groups(logGroupNamePrefix='')['logGroups'][0]\n",
        [("CWR402", 7, 12, "warning", "describe_log_groups() returns one page only and nothing here asks for the next "
          "(CWE-1050)")],
    ),
    # CWR117 trusts only untrusted input, and a parameter named as outside input (no caller in view) counts, at info.
    "a redirect to a parameter named user_input": (
        "from flask import redirect\n\n\ndef go(user_input):\n    return redirect(user_input)\n",
        [("CWR117", 5, 12, "info", "parameter `user_input` (its name says it is outside input) chooses where "
          "flask.redirect() sends the user; no caller is in view, check that callers pass only trusted values (CWE-601)")],
    ),
    # More than three words, none an option or an assignment: a sentence, not a command line, even for run_command.
    "a sentence formatted for run_command": (
        "def fail(name):\n    run_command(\"unknown error making dispatchers for %s\" % name)\n",
        [],
    ),
    # `with ... as name` binds the name too: its value is no longer only the constant assigned above.
    "a command's variable rebound by with-as": (
        "def fail(path):\n    name = \"tank\"\n    with open(path) as name:\n        pass\n"
        "    run_command(\"zfs list -H %s\" % name)\n",
        [("CWR103", 5, 5, "info", "run_command() is given a command line built from a variable that is not "
          "shell-quoted; if it runs it through a shell, the value can add commands of its own (CWE-78)")],
    ),
    # text.replace(sep, ...): the receiver is the text kept as is, named before the call's arguments.
    "mark_safe of a parameter's replace() names the receiver": (
        "from django.utils.safestring import mark_safe\n\n\ndef bold(text, sep):\n"
        "    return mark_safe('<b>' + text.replace(sep, '-') + '</b>')\n",
        [("CWR124", 5, 12, "info", "mark_safe() marks HTML built from `text` as safe without escaping it; a caller "
          "passing text with markup in it injects that markup into the page (CWE-79)")],
    ),
    # CWR605: `other.copy()` (no argument) copies its receiver: a dict when the receiver is one.
    "a dict's copy() changed while iterating over its items": (
        "def prune(ages):\n    current = {'a': 1}\n    work = current.copy()\n    for k, v in work.items():\n"
        "        if v > 9:\n            del work[k]\n",
        [("CWR605", 6, 13, "error", "`work` is changed while the loop iterates over it (CWE-664)")],
    ),
    # Names are followed two assignments back: a dict three names away is of unknown type (info, conditional).
    "a dict three names away is of unknown type": (
        "def prune():\n    n0 = {'a': 1}\n    n1 = n0\n    n2 = n1\n    n3 = n2\n    for k, v in n3.items():\n"
        "        if v > 9:\n            del n3[k]\n",
        [("CWR605", 8, 13, "info", "if `n3` is a dict, it is changed while the loop iterates over `n3.items()` (CWE-664)")],
    ),
    # CWR402: `self.ddb_client = DynamoDBUtil(...)` in a method makes the attribute the project's wrapper, as the
    # class-body form does.
    "a wrapper class set on self in __init__ pages itself": (
        "import boto3\n\n\nclass Store:\n    def __init__(self):\n        self.ddb_client = DynamoDBUtil('table')\n\n"
        "    def all(self):\n        return self.ddb_client.scan(TableName='t')['Items']\n",
        [],
    ),
    # CWR108: the archive handed to a checking call is compared by its first 200 characters of code on both sides.
    "an archive with a 210-character name checked before extractall": (
        f"import tarfile\n\n\ndef unpack(path, dest):\n    {_LONG} = tarfile.open(path)\n    check_members({_LONG})\n"
        f"    {_LONG}.extractall(dest)\n",
        [],
    ),
}  # fmt: skip

# Seed 30 (fresh sample, 84 / 100): its survivors, each case run against its mutant (bench/mutation-report.md).
SEED_30 = {
    # CWR314: set_cookie's key given as its only positional argument names the cookie (a session cookie here).
    "set_cookie('session_id') alone names the cookie": (
        "from flask import Flask, make_response\n\napp = Flask(__name__)\n\n\n@app.route('/login')\ndef login():\n"
        "    response = make_response('ok')\n    response.set_cookie('session_id')\n    return response\n",
        [("CWR314", 9, 5, "warning", "'session_id' is set without secure=True and httponly=True (CWE-614)")],
    ),
    # CWR301: a urllib3 call turning verification off is a connection of urllib3's, whatever its method's name.
    "verify=False given to a urllib3 connection pool": (
        "import urllib3\n\npool = urllib3.HTTPSConnectionPool('example.com', verify=False)\n",
        [("CWR301", 3, 51, "error", "verify=False turns off certificate verification for this connection (CWE-295)")],
    ),
    # markdown2 with safe_mode escapes the text's HTML: nothing to report.
    "markdown2 with safe_mode escapes the text": (
        "import markdown2\n\n\ndef render(text):\n    return markdown2.markdown(text, safe_mode='escape')\n",
        [],
    ),
    # CWR605: d.update(other) inside `for k in d` is no update of the loop's own key: the size may change.
    "d.update(other) while iterating over d": (
        "def merge(d, other):\n    for k in d:\n        d.update(other)\n",
        [("CWR605", 3, 9, "error", "`d` is changed while the loop iterates over it (CWE-664)")],
    ),
    # CWR204: a %-tuple without the event or a secret in it logs nothing sensitive (and the search ends cleanly).
    "a %-tuple of harmless values logged beside a password parameter": (
        "import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef login(user, password):\n"
        "    log.info('%s signed in at %s' % (user, 'noon'))\n    check(password)\n",
        [],
    ),
    # CWR204: setLevel(LEVEL) with LEVEL = 'DEBUG' turns debug logging on: log.debug(password) is a warning.
    "debug logging turned on through a module constant": (
        "import logging\n\nLEVEL = 'DEBUG'\nlog = logging.getLogger(__name__)\nlog.setLevel(LEVEL)\n\n\n"
        "def login(user, password):\n    log.debug(password)\n",
        [("CWR204", 9, 5, "warning", "`password` is logged in full (CWE-532)")],
    ),
    # CWR103: a method's own object (`self.password`) is no parameter whose callers are out of view: the warning
    # for an unquoted variable, not the info for a parameter.
    "a command built from self's attribute in a method nothing calls": (
        "import os\n\n\nclass Users:\n    def add(self):\n        os.system('useradd -p ' + self.password)\n",
        [("CWR103", 6, 9, "warning", "os.system() runs a shell command built from a variable that is not shell-quoted "
          "(CWE-78)")],
    ),
    # CWR124: the text followed to its assignment past a nested function defined after it.
    "HTML assigned before a nested function and marked safe after it": (
        "from django.utils.safestring import mark_safe\n\n\ndef bold(name):\n    html = '<b>%s</b>' % name\n\n"
        "    def helper():\n        return None\n\n    return mark_safe(html)\n",
        [("CWR124", 10, 12, "info", "mark_safe() marks HTML built from `name` as safe without escaping it; a caller "
          "passing text with markup in it injects that markup into the page (CWE-79)")],
    ),
}  # fmt: skip

_SEED_TABLES = (SEED_22, SEED_23, SEED_24, SEED_25, SEED_26, SEED_27, SEED_28, SEED_29, SEED_30)
SEEDS = {name: case for table in _SEED_TABLES for name, case in table.items()}


def test_seed_case_names_are_unique() -> None:
    assert len(SEEDS) == sum(map(len, _SEED_TABLES))  # a name used twice would drop a case silently


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_case(tmp_path: Path, name: str) -> None:
    source, expected = SEEDS[name]
    assert findings(tmp_path, source) == expected


def test_a_finally_return_guarded_by_a_handled_only_flag_is_opt_in(tmp_path: Path) -> None:
    # Seed 27: CWR613's "runs only when `error` is set" (judged false on real code) is shown only when asked for.
    (tmp_path / "m.py").write_text(
        "def f():\n    try:\n        error = None\n        run()\n    except KeyError:\n        error = 'missing'\n"
        "    except Exception as ex:\n        raise ex\n    finally:\n        log()\n        if error:\n"
        "            return error\n    return 'ok'\n"
    )
    reports = []
    for asked in ((), ("--extend-select", "CWR613")):
        args = ("review", "m.py", "--isolated", "--no-cache", "--format", "concise", *asked)
        code, out, _ = run_cli(*args, cwd=str(tmp_path))
        reports.append((code, out.strip()))
    assert reports == [
        (0, "No findings in 1 file."),
        (0, "m.py:12:13: CWR613 `return` in finally runs only when `error` is set, which only except blocks that do not "
            "re-raise do; it still discards an exception raised in those blocks after it is set (CWE-584) "
            "[control-flow-in-finally]\nFound 1 finding (1 info) in 1 of 1 file."),
    ]  # fmt: skip
