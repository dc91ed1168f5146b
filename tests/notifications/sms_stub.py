"""A local stand-in for Alibaba Cloud's and Tencent Cloud's SMS APIs: records each request, checks its
signature with the secret the app was given, answers like the provider. Nothing leaves the machine."""
import hashlib
import hmac
import json
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

KEY_ID, SECRET = "test-key-id", "test-key-secret"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def aliyun_signature_ok(method: str, path: str, headers: dict, body: bytes) -> bool:
    """Whether an ACS3-HMAC-SHA256 Authorization header is the one SECRET gives for this request."""
    auth = headers.get("authorization", "")
    if not auth.startswith("ACS3-HMAC-SHA256 "):
        return False
    fields = dict(part.strip().split("=", 1) for part in auth[len("ACS3-HMAC-SHA256 "):].split(","))
    url = urlsplit(path)
    query = "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}"
                     for k, v in sorted(parse_qsl(url.query, keep_blank_values=True)))
    signed = fields["SignedHeaders"].split(";")
    canonical_headers = "".join(f"{h}:{headers[h].strip()}\n" for h in signed)
    canonical = "\n".join([method, url.path or "/", query, canonical_headers, fields["SignedHeaders"], _sha(body)])
    to_sign = "ACS3-HMAC-SHA256\n" + _sha(canonical.encode())
    expected = hmac.new(SECRET.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return fields["Credential"] == KEY_ID and hmac.compare_digest(expected, fields["Signature"])


def tencent_signature_ok(method: str, path: str, headers: dict, body: bytes) -> bool:
    """Whether a TC3-HMAC-SHA256 Authorization header is the one SECRET gives for this request."""
    auth = headers.get("authorization", "")
    if not auth.startswith("TC3-HMAC-SHA256 "):
        return False
    fields = dict(part.strip().split("=", 1) for part in auth[len("TC3-HMAC-SHA256 "):].split(","))
    key_id, day, service, _ = fields["Credential"].split("/")
    signed = fields["SignedHeaders"].split(";")
    canonical_headers = "".join(f"{h}:{headers[h].strip().lower()}\n" for h in signed)
    canonical = "\n".join([method, "/", "", canonical_headers, fields["SignedHeaders"], _sha(body)])
    timestamp = headers["x-tc-timestamp"]
    assert datetime.fromtimestamp(int(timestamp), timezone.utc).strftime("%Y-%m-%d") == day
    to_sign = "\n".join(["TC3-HMAC-SHA256", timestamp, f"{day}/{service}/tc3_request", _sha(canonical.encode())])
    key = _hmac(_hmac(_hmac(("TC3" + SECRET).encode(), day), service), "tc3_request")
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return key_id == KEY_ID and service == "sms" and hmac.compare_digest(expected, fields["Signature"])


class SmsStub:
    """The server and what it received: requests as dicts (provider, signed, params...)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.fail = False  # answer with the provider's error instead of success
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                stub.requests.append(stub.read("POST", self.path, headers, body))
                answer = stub.answer(headers)
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def read(self, method, path, headers, body) -> dict:
        if "x-tc-action" in headers:
            params = json.loads(body or b"{}")
            return {"provider": "tencent", "action": headers["x-tc-action"], "headers": headers,
                    "signed": tencent_signature_ok(method, path, headers, body), "phone": params["PhoneNumberSet"][0],
                    "template": params["TemplateId"], "sign_name": params["SignName"],
                    "params": params["TemplateParamSet"], "app_id": params["SmsSdkAppId"],
                    "region": headers.get("x-tc-region")}
        query = dict(parse_qsl(urlsplit(path).query))
        return {"provider": "aliyun", "action": headers.get("x-acs-action"), "headers": headers,
                "signed": aliyun_signature_ok(method, path, headers, body), "phone": query.get("PhoneNumbers"),
                "template": query.get("TemplateCode"), "sign_name": query.get("SignName"),
                "params": json.loads(query.get("TemplateParam") or "{}")}

    def answer(self, headers) -> dict:
        if "x-tc-action" in headers:
            status = ({"Code": "LimitExceeded.PhoneNumberDailyLimit", "Message": "daily limit"} if self.fail
                      else {"Code": "Ok", "Message": "send success"})
            return {"Response": {"SendStatusSet": [{"SerialNo": "2640:1", "PhoneNumber": "+86", "Fee": 1,
                                                    "SessionContext": "", "IsoCode": "CN", **status}],
                                 "RequestId": "stub"}}
        if self.fail:
            return {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "limit", "RequestId": "stub"}
        return {"Code": "OK", "Message": "OK", "BizId": "stub", "RequestId": "stub"}

    def close(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


TEMPLATES = {"SMS_TEMPLATE_SIGNUP": "T-SIGNUP", "SMS_TEMPLATE_RESET": "T-RESET", "SMS_TEMPLATE_PHONE": "T-PHONE",
             "SMS_TEMPLATE_NOTIFY": "T-NOTIFY"}


def provider_config(provider: str, url: str) -> dict:
    """The app settings that send SMS through provider's SDK to the stub at url."""
    return {"NOTIFY_SMS_BACKEND": provider, "SMS_ENDPOINT": url, "SMS_ACCESS_KEY_ID": KEY_ID,
            "SMS_ACCESS_KEY_SECRET": SECRET, "SMS_SIGN_NAME": "护航", "SMS_SDK_APP_ID": "1400000001",
            "SMS_REGION": "", "SMS_TIMEOUT": 5, **TEMPLATES}


@pytest.fixture(params=["aliyun", "tencent"])
def sms_provider(request, app):
    """The app sends SMS through one provider's real SDK to a stub server (both providers, in turn)."""
    stub = SmsStub()
    stub.provider = request.param
    app.config.update(provider_config(request.param, stub.url))
    yield stub
    stub.close()
