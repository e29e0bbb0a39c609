"""Choosing the asset store: `assets:` in the storyboard, --assets, PIPELINE_ASSETS; their checks and the
order; plan and validate accept local keyframes once a store is set. No S3 server needed."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from pipeline.assets import AssetError, choose
from pipeline.assets.base_url import BaseUrlStore
from pipeline.assets.s3 import S3Store
from pipeline.cli import main
from pipeline.errors import StoryboardError
from pipeline.storyboard.load import load

ROCKET = Path(__file__).parent.parent / "storyboards/rocket.yaml"


def board(tmp_path: Path, settings: str) -> Path:
    shutil.copytree(ROCKET.parent / "assets/rocket", tmp_path / "assets/rocket")
    path = tmp_path / "rocket.yaml"
    path.write_text(settings + ROCKET.read_text())
    return path


@pytest.mark.parametrize("command", ["plan", "validate"])
def test_with_a_bucket_local_keyframes_need_no_warning(command, capsys):
    assert main([command, str(ROCKET), "--provider", "luma", "--assets", "s3://films/rocket/"]) == 0
    assert "local file" not in capsys.readouterr().err


def test_the_environment_names_a_bucket_for_storyboards_without_one(tmp_path, monkeypatch):
    monkeypatch.setenv("PIPELINE_ASSETS", "s3://studio-frames/")
    assert load(ROCKET, provider="luma").board.assets is None  # the library reads no environment
    assert main(["plan", str(ROCKET), "--provider", "luma"]) == 0
    own = board(tmp_path, "assets: s3://own-bucket/x/\n")
    project = load(own, provider="luma", assets=None, default_assets="s3://studio-frames/")
    assert project.board.assets == "s3://own-bucket/x/"  # the storyboard's own wins over the default
    assert load(own, assets="s3://given/", default_assets="s3://studio-frames/").board.assets == "s3://given/"


def test_the_store_follows_the_order(tmp_path):
    s3 = choose.for_board(load(board(tmp_path, "assets: s3://films/k\nasset_base_url: https://cdn.example.com/\n"
                                               "assets_url_ttl: 2h\n")))
    assert isinstance(s3, S3Store) and s3.name == "s3://films/k/" and s3.ttl_s == 7200
    folder = choose.for_board(load(board(tmp_path / "b", "asset_base_url: https://cdn.example.com/r\n")))
    assert isinstance(folder, BaseUrlStore) and folder.name == "https://cdn.example.com/r/"
    assert choose.for_board(load(ROCKET)) is None


@pytest.mark.parametrize(("settings", "said"), [
    ("assets: https://example.com/x\n", "assets"),
    ("assets: s3://A_Bucket/\n", "assets"),
    ("assets: s3://films/\nassets_url_ttl: 8d\n", "is not a URL lifetime; give one from 1s to 7d"),
    ("assets: s3://films/\nassets_url_ttl: soon\n", "is not a URL lifetime"),
    ("assets_public_url: ftp://x\n", "assets_public_url"),
])
def test_bad_settings_are_located(tmp_path, settings, said):
    with pytest.raises(StoryboardError) as caught:
        load(board(tmp_path, settings))
    problem = caught.value.problems[0]
    assert problem.line in (1, 2) and said in problem.message


def test_without_boto3_the_message_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "boto3", None)  # import boto3 raises ImportError
    with pytest.raises(AssetError, match=r"needs boto3, which is not installed: pip install '\S+\[s3\]'"):
        S3Store(choose.Location.parse("s3://films/")).check()
