"""What a client needs: the runtime, httpx and attrs, never the tools' dependencies."""

from __future__ import annotations

import subprocess
import sys

from uninstalled import BLOCK_MODULES


def test_importing_and_using_a_client_needs_only_the_runtime_httpx_and_attrs() -> None:
    """As on a plain ``pip install imgroup``: the command line's, the emulator's and the jobs' packages missing."""
    missing = "click,rich,starlette,uvicorn,sqlite3,_sqlite3"
    program = BLOCK_MODULES + (
        "from feishu_im import FeishuClient, AsyncFeishuClient\n"
        "from tencent_im import TencentIMClient, AsyncTencentIMClient\n"
        "from yunxin_im import YunxinClient, AsyncYunxinClient\n"
        "import imgroup.errors, imgroup_registry\n"
        "TencentIMClient(sdkappid=1, secret_key='k').close()\n"
        "imgroup_registry.vendors()\n"
        "print(sorted(m for m in sys.modules if m.startswith(('imgroup.cli', 'imgroup.settings', 'imgroup.jobs'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", program, missing], check=False, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
