"""The SMS settings read from the environment (config.py adds them to the app's config)."""

# Each provider's template for each kind of message (its id at Alibaba Cloud or Tencent Cloud).
TEMPLATE_SETTINGS = {"signup": "SMS_TEMPLATE_SIGNUP", "reset": "SMS_TEMPLATE_RESET",
                     "phone": "SMS_TEMPLATE_PHONE", "notify": "SMS_TEMPLATE_NOTIFY"}


def settings(env) -> dict:
    """The SMS settings, each from the environment variable of the same name."""
    names = ["SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME", "SMS_SDK_APP_ID", "SMS_REGION",
             "SMS_ENDPOINT", *TEMPLATE_SETTINGS.values()]
    values = {name: env(name, "") for name in names}
    values["SMS_TIMEOUT"] = float(env("SMS_TIMEOUT", "10"))
    return values
