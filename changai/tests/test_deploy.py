import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Variables the test settings set for plain-HTTP test runs; production leaves them unset.
TEST_ONLY = {
    "DJANGO_DEBUG",
    "DATABASE_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "BEHIND_TLS_PROXY",
    "ALLOWED_HOSTS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests
}


def test_check_deploy_is_clean_with_the_documented_environment():
    env = {
        **{k: v for k, v in os.environ.items() if k not in TEST_ONLY},
        "DJANGO_SETTINGS_MODULE": "changai.settings",
        "SECRET_KEY": "k3V9x-" + "q7Lm2Zp8Rt5Wn4Yc6Bd1Hf0Js9Gv3Xa8Ue7Ko2Pi5Nl4Mr6Tb1Sw0",
        "ALLOWED_HOSTS": "changai.example.gov.cn",
        "CSRF_TRUSTED_ORIGINS": "https://changai.example.gov.cn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_settings_refuse_to_start_without_a_secret_key_in_production():
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY | {"SECRET_KEY"}}
    env["DJANGO_SETTINGS_MODULE"] = "changai.settings"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
