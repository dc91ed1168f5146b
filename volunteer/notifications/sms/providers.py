"""SMS through Alibaba Cloud SMS and Tencent Cloud SMS, with their official SDKs.

Both send a template registered with the provider (its id per kind of message in SMS_TEMPLATE_*), the
sign name (SMS_SIGN_NAME) and the template's variables; the SDK signs each request with the access key.
SMS_ENDPOINT points the SDK elsewhere (a URL such as http://127.0.0.1:8080: the tests' stub server).
"""
import json
from urllib.parse import urlsplit

from flask import current_app

from . import KINDS, SmsFailed
from .settings import TEMPLATE_SETTINGS

# A template variable holds a few dozen characters at most (Alibaba Cloud: 35 for free text).
MAX_PARAM = 35


class TemplateSms:
    """A provider's backend: one template per kind of message; plain notifications use the "notify" one."""

    name = ""
    default_endpoint = ""
    default_region = ""

    def __init__(self, channel: str = "sms"):
        self.channel = channel
        self.config = current_app.config

    def send(self, address: str, title: str, body: str = "") -> None:
        """A notification: its title goes in the "notify" template."""
        self.send_template(address, "notify", {"title": title}, title, body)

    def send_template(self, address: str, kind: str, params: dict, title: str, body: str = "") -> None:
        """Send the kind's template with params to address (E.164)."""
        template = self.config.get(TEMPLATE_SETTINGS[kind], "")
        missing = [n for n in ("SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME")
                   if not self.config.get(n)] + ([] if template else [TEMPLATE_SETTINGS[kind]])
        if missing:
            raise SmsFailed(f"{self.name} SMS is not configured: set {', '.join(missing)}")
        values = [_short(str(params[key])) for key in KINDS[kind]]
        self._send(address, template, dict(zip(KINDS[kind], values)), values)

    def _endpoint(self) -> tuple[str, str]:
        """(scheme, host[:port]) of the API: SMS_ENDPOINT or the provider's own."""
        raw = self.config.get("SMS_ENDPOINT") or self.default_endpoint
        parts = urlsplit(raw if "://" in raw else f"https://{raw}")
        return parts.scheme, parts.netloc

    def _region(self) -> str:
        return self.config.get("SMS_REGION") or self.default_region

    def _timeout(self) -> float:
        return float(self.config.get("SMS_TIMEOUT") or 10)

    def _send(self, address: str, template: str, named: dict, ordered: list) -> None:
        raise NotImplementedError


def _short(value: str) -> str:
    return value if len(value) <= MAX_PARAM else value[:MAX_PARAM - 1] + "…"


class AliyunSms(TemplateSms):
    """Alibaba Cloud SMS (Dysmsapi 2017-05-25, SendSms): named variables, a mainland number without +86."""

    name = "aliyun"
    default_endpoint = "dysmsapi.aliyuncs.com"
    default_region = "cn-hangzhou"

    def _send(self, address, template, named, ordered):
        from alibabacloud_dysmsapi20170525 import models
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import models as api_models

        scheme, host = self._endpoint()
        ms = int(self._timeout() * 1000)
        client = Client(api_models.Config(
            access_key_id=self.config["SMS_ACCESS_KEY_ID"], access_key_secret=self.config["SMS_ACCESS_KEY_SECRET"],
            endpoint=host, protocol=scheme, region_id=self._region(), read_timeout=ms, connect_timeout=ms))
        # Mainland numbers go without the country code; others as country code and number, no "+".
        number = address[3:] if address.startswith("+86") else address.lstrip("+")
        request = models.SendSmsRequest(phone_numbers=number, sign_name=self.config["SMS_SIGN_NAME"],
                                        template_code=template, template_param=json.dumps(named, ensure_ascii=False))
        try:
            body = client.send_sms(request).body
        except Exception as exc:  # noqa: BLE001 - the SDK's own errors: say which, never the request
            detail = f"{exc.code}: {getattr(exc, 'message', '')}" if getattr(exc, "code", None) else ""
            raise SmsFailed(f"aliyun: {type(exc).__name__} {detail}".strip()) from None
        if (body.code or "") != "OK":
            raise SmsFailed(f"aliyun: {body.code}: {body.message}")


class TencentSms(TemplateSms):
    """Tencent Cloud SMS (2021-01-11, SendSms): numbered variables, E.164 numbers, an SMS application id."""

    name = "tencent"
    default_endpoint = "sms.tencentcloudapi.com"
    default_region = "ap-guangzhou"

    def _send(self, address, template, named, ordered):
        from tencentcloud.common import credential
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import models, sms_client

        if not self.config.get("SMS_SDK_APP_ID"):
            raise SmsFailed("tencent SMS is not configured: set SMS_SDK_APP_ID")
        scheme, host = self._endpoint()
        profile = ClientProfile(httpProfile=HttpProfile(protocol=scheme, endpoint=host,
                                                        reqTimeout=int(self._timeout())))
        client = sms_client.SmsClient(credential.Credential(self.config["SMS_ACCESS_KEY_ID"],
                                                            self.config["SMS_ACCESS_KEY_SECRET"]),
                                      self._region(), profile)
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [address]
        request.SmsSdkAppId = self.config["SMS_SDK_APP_ID"]
        request.SignName = self.config["SMS_SIGN_NAME"]
        request.TemplateId = template
        request.TemplateParamSet = ordered
        try:
            statuses = client.SendSms(request).SendStatusSet or []
        except TencentCloudSDKException as exc:
            raise SmsFailed(f"tencent: {exc.code}: {exc.message}") from None
        if not statuses or statuses[0].Code != "Ok":
            status = statuses[0] if statuses else None
            raise SmsFailed(f"tencent: {getattr(status, 'Code', 'no status')}: {getattr(status, 'Message', '')}")
