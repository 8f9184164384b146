"""Settings: options beat the environment, which beats the config file's profile; secrets stay hidden."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgroup.settings import SettingsError, VendorSettings, load_settings, make_client

CONFIG = """
[default.feishu]
app_id = "cli_from_config"
app_secret = "config-feishu-secret"
base_url = "http://127.0.0.1:1001"

[default.tencent]
sdkappid = 1400000001
secret_key = "config-tencent-key"
region = "singapore"

[default.yunxin]
app_key = "config_key"
app_secret = "config-yunxin-secret"

[staging.feishu]
app_id = "cli_staging"
app_secret = "staging-feishu-secret"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def test_config_profile_supplies_everything_when_nothing_else_is_set(config: Path) -> None:
    settings = load_settings("feishu", config_path=config, environ={})
    assert settings.base_url == "http://127.0.0.1:1001"
    assert dict(settings.credentials) == {"app_id": "cli_from_config", "app_secret": "config-feishu-secret"}


def test_environment_beats_config_file_field_by_field(config: Path) -> None:
    environ = {"FEISHU_APP_ID": "cli_from_env", "FEISHU_BASE_URL": "http://127.0.0.1:2002"}
    settings = load_settings("feishu", config_path=config, environ=environ)
    assert settings.base_url == "http://127.0.0.1:2002"
    assert settings.credentials["app_id"] == "cli_from_env"
    assert settings.credentials["app_secret"] == "config-feishu-secret"  # not in the environment: from the file


def test_options_beat_environment_and_config_file(config: Path) -> None:
    environ = {"FEISHU_APP_ID": "cli_from_env", "FEISHU_BASE_URL": "http://127.0.0.1:2002"}
    settings = load_settings(
        "feishu",
        config_path=config,
        environ=environ,
        base_url="http://127.0.0.1:3003",
        options={"app_id": "cli_from_option", "app_secret": None},
    )
    assert settings.base_url == "http://127.0.0.1:3003"
    assert settings.credentials["app_id"] == "cli_from_option"
    assert settings.credentials["app_secret"] == "config-feishu-secret"  # None counts as unset


def test_imgroup_profile_and_profile_argument_pick_a_profile(config: Path) -> None:
    from_environ = load_settings("feishu", config_path=config, environ={"IMGROUP_PROFILE": "staging"})
    assert from_environ.credentials["app_id"] == "cli_staging"
    # An explicit profile beats IMGROUP_PROFILE.
    explicit = load_settings("feishu", profile="default", config_path=config, environ={"IMGROUP_PROFILE": "staging"})
    assert explicit.credentials["app_id"] == "cli_from_config"


def test_imgroup_config_names_the_config_file(config: Path) -> None:
    settings = load_settings("yunxin", environ={"IMGROUP_CONFIG": str(config)})
    assert dict(settings.credentials) == {"app_key": "config_key", "app_secret": "config-yunxin-secret"}


def test_default_config_file_is_under_home(tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".config" / "imgroup").mkdir(parents=True)
    config.rename(tmp_path / ".config" / "imgroup" / "config.toml")
    assert load_settings("yunxin", environ={}).credentials["app_key"] == "config_key"


def test_missing_default_config_file_is_fine_when_the_environment_has_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = load_settings("yunxin", environ={"YUNXIN_APP_KEY": "k", "YUNXIN_APP_SECRET": "s"})
    assert dict(settings.credentials) == {"app_key": "k", "app_secret": "s"}
    assert settings.base_url is None


def test_tencent_sdkappid_becomes_an_integer_from_any_layer(config: Path) -> None:
    from_env = load_settings(
        "tencent", environ={"TENCENT_IM_SDKAPPID": "1400000002", "TENCENT_IM_SECRET_KEY": "k"}, config_path=config
    )
    assert from_env.credentials["sdkappid"] == 1400000002
    from_file = load_settings("tencent", config_path=config, environ={})
    assert from_file.credentials["sdkappid"] == 1400000001
    with pytest.raises(SettingsError, match="TENCENT_IM_SDKAPPID"):
        load_settings("tencent", environ={"TENCENT_IM_SDKAPPID": "14x", "TENCENT_IM_SECRET_KEY": "k"})


def test_a_user_token_on_a_higher_layer_replaces_app_credentials_below_it(config: Path) -> None:
    settings = load_settings("feishu", config_path=config, environ={"FEISHU_USER_ACCESS_TOKEN": "u-env-token"})
    assert dict(settings.credentials) == {"user_access_token": "u-env-token"}


@pytest.mark.parametrize(
    "environ",
    [
        {"TENCENT_IM_BASE_URL": "http://127.0.0.1:9"},  # above the config file's region
        {"TENCENT_IM_BASE_URL": "http://127.0.0.1:9", "TENCENT_IM_REGION": "tokyo"},  # beside a region
    ],
)
def test_a_base_url_overrides_a_region_on_any_layer(config: Path, environ: dict[str, str]) -> None:
    settings = load_settings("tencent", config_path=config, environ=environ)
    assert settings.base_url == "http://127.0.0.1:9"
    with make_client(settings) as client:
        assert client.base_url == "http://127.0.0.1:9"
    kept = load_settings("tencent", config_path=config, environ={})
    assert kept.credentials["region"] == "singapore" and kept.base_url is None
    with make_client(kept) as regional:
        assert regional.base_url == "https://adminapisgp.im.qcloud.com"


def test_a_region_on_the_command_line_leaves_a_base_url_in_the_config_file_in_force(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[default.tencent]\nsdkappid = 1\nsecret_key = "k"\nbase_url = "http://127.0.0.1:9"\n')
    settings = load_settings("tencent", config_path=path, options={"region": "singapore"}, environ={})
    with make_client(settings) as client:
        assert client.base_url == "http://127.0.0.1:9"


@pytest.mark.parametrize(
    ("vendor", "environ", "named"),
    [
        ("feishu", {}, "FEISHU_APP_ID and FEISHU_APP_SECRET"),
        ("feishu", {"FEISHU_APP_ID": "cli_x"}, "FEISHU_APP_SECRET"),
        ("tencent", {"TENCENT_IM_SDKAPPID": "1"}, "TENCENT_IM_SECRET_KEY"),
        ("yunxin", {"YUNXIN_APP_SECRET": "yunxin-secret-value"}, "YUNXIN_APP_KEY"),
    ],
)
def test_missing_credentials_name_the_variable_to_set(
    vendor: str, environ: dict[str, str], named: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # no config file
    with pytest.raises(SettingsError, match=f"set {named}") as caught:
        load_settings(vendor, environ=environ)
    assert "yunxin-secret-value" not in str(caught.value)


def test_named_config_file_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings("yunxin", environ={"IMGROUP_CONFIG": str(tmp_path / "absent.toml")})


def test_unknown_profile_lists_the_profiles_there(config: Path) -> None:
    with pytest.raises(SettingsError, match=r"profile 'prod' is not in .*default, staging"):
        load_settings("feishu", profile="prod", config_path=config, environ={})


def test_misspelt_config_key_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[default.yunxin]\nappkey = "k"\napp_secret = "s"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="unknown key 'appkey'"):
        load_settings("yunxin", config_path=path, environ={})


def test_malformed_secret_is_reported_without_its_value(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[default.yunxin]\napp_key = "k"\napp_secret = 12345678\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="app_secret") as caught:
        load_settings("yunxin", config_path=path, environ={})
    assert "12345678" not in str(caught.value)


def test_invalid_toml_is_a_settings_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[default.yunxin\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings("yunxin", config_path=path, environ={})


def test_unknown_vendor_is_a_settings_error() -> None:
    with pytest.raises(SettingsError, match="feishu, tencent, yunxin"):
        load_settings("slack", environ={})


def test_repr_keeps_credentials_out() -> None:
    settings = load_settings("yunxin", environ={"YUNXIN_APP_KEY": "k", "YUNXIN_APP_SECRET": "very-secret-value"})
    assert "very-secret-value" not in repr(settings)
    assert isinstance(settings, VendorSettings)


@pytest.mark.parametrize("asynchronous", [False, True])
def test_make_client_builds_each_vendors_client(asynchronous: bool) -> None:
    environ = {
        "FEISHU_APP_ID": "cli_x",
        "FEISHU_APP_SECRET": "s",
        "TENCENT_IM_SDKAPPID": "1400000000",
        "TENCENT_IM_SECRET_KEY": "k",
        "YUNXIN_APP_KEY": "k",
        "YUNXIN_APP_SECRET": "s",
    }
    expected = {"feishu": "FeishuClient", "tencent": "TencentIMClient", "yunxin": "YunxinClient"}
    for vendor, name in expected.items():
        settings = load_settings(vendor, environ=environ, base_url="http://127.0.0.1:9")
        client = make_client(settings, asynchronous=asynchronous, timeout=3.0, max_retries=0)
        try:
            assert type(client).__name__ == ("Async" if asynchronous else "") + name
            assert client.base_url == "http://127.0.0.1:9"
        finally:
            if not asynchronous:
                client.close()
