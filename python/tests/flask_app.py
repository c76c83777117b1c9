"""A token server whose token route is written as VideoSDK's Flask example writes its own:
PyJWT's `jwt.encode` with an `exp` datetime. tests/test_flask.py runs it as it is and with
its one import line changed to `from videosdk_token import jwt`."""

import datetime

import jwt
from flask import Flask, jsonify

VIDEOSDK_API_KEY = "flask-api-key"
VIDEOSDK_SECRET_KEY = "flask-secret-0123456789abcdef-0123456789"

app = Flask(__name__)


@app.route("/get-token")
def generate_token():  # type: ignore[no-untyped-def]
    expiration = datetime.datetime.now() + datetime.timedelta(seconds=600)
    token = jwt.encode(
        payload={
            "exp": expiration,
            "version": 2,
            "apikey": VIDEOSDK_API_KEY,
            "permissions": ["allow_join", "allow_mod"],
            "roles": ["crawler", "rtc"],
        },
        key=VIDEOSDK_SECRET_KEY,
        algorithm="HS256",
    )
    return jsonify(token=token)
