"""yt-dlp, as YouTubeClient configures it, has a working JavaScript runtime: offline, on this machine.

YouTube's player challenges need Deno plus the ``yt-dlp-ejs`` scripts (yt-dlp wiki,
"EJS"). These tests read yt-dlp 2026.10.26's own view of that: the verbose header
(``YoutubeDL.print_debug_header``: ``JS runtimes: deno-2.9.8``) and the Deno challenge
provider of ``extractor/youtube/jsc/_builtin`` (``is_available``, and which source its
scripts came from). The provider's script attributes are private yt-dlp API, read here
only to prove that no remote component is needed.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yt_dlp_ejs
from yt_dlp import YoutubeDL
from yt_dlp.extractor.youtube.jsc._builtin.ejs import ScriptSource, ScriptType
from yt_dlp.extractor.youtube.jsc._builtin.vendor import VERSION as EJS_VERSION_YT_DLP_EXPECTS
from yt_dlp.utils import version_tuple

from robust_import_app.youtube.real import YouTubeClient, deno_path

DENO_TIMEOUT_S = 30.0


class _Lines:
    """A yt-dlp logger keeping every line."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def debug(self, message: str) -> None:
        self.lines.append(message)

    info = warning = error = debug


def test_the_deno_package_binary_runs_javascript() -> None:
    path = deno_path()
    assert path.is_file()
    result = subprocess.run(
        [str(path), "eval", "console.log(1+1)"], capture_output=True, text=True, timeout=DENO_TIMEOUT_S, check=True
    )
    assert result.stdout.strip() == "2"


def test_options_point_yt_dlp_at_that_binary() -> None:
    assert YouTubeClient().ytdlp_options()["js_runtimes"] == {"deno": {"path": str(deno_path())}}


def test_yt_dlp_reports_deno_as_a_supported_js_runtime() -> None:
    logger = _Lines()
    with YoutubeDL(YouTubeClient().ytdlp_options(verbose=True, logger=logger)) as ydl:  # prints the header
        runtime = ydl._js_runtimes["deno"]  # noqa: SLF001 - what the header prints
    [header] = [line for line in logger.lines if line.startswith("[debug] JS runtimes:")]
    assert re.fullmatch(r"\[debug\] JS runtimes: deno-\d+\.\d+\.\d+", header), header
    assert runtime.info is not None and runtime.info.supported
    assert Path(runtime.info.path) == deno_path()


def test_ejs_scripts_match_yt_dlp_and_load_from_the_python_package_offline() -> None:
    """The Deno challenge provider is available and takes both scripts from ``yt-dlp-ejs``.

    ``remote_components`` is empty, so a missing package would show as the provider
    rejecting the request (its scripts would need ``ejs:github`` or ``ejs:npm``).
    """
    expected = version_tuple(EJS_VERSION_YT_DLP_EXPECTS, lenient=True)[:2]
    assert version_tuple(yt_dlp_ejs.version, lenient=True)[:2] == expected
    with YoutubeDL(YouTubeClient().ytdlp_options()) as ydl:
        assert not ydl.params["remote_components"]
        ie = ydl.get_info_extractor("Youtube")
        ie.initialize()
        provider = ie._jsc_director.providers["Deno"]  # noqa: SLF001
        assert provider.is_available()
        scripts = [provider._get_script(kind) for kind in (ScriptType.LIB, ScriptType.CORE)]  # noqa: SLF001
    assert [s.source for s in scripts] == [ScriptSource.PYPACKAGE, ScriptSource.PYPACKAGE]
    assert {s.version for s in scripts} == {yt_dlp_ejs.version}


def test_deno_runs_the_ejs_solver_with_yt_dlps_offline_flags() -> None:
    """yt-dlp's own Deno command (``--no-remote``, ``--no-npm``, ``--cached-only``) loads both scripts."""
    with YoutubeDL(YouTubeClient().ytdlp_options()) as ydl:
        ie = ydl.get_info_extractor("Youtube")
        ie.initialize()
        provider = ie._jsc_director.providers["Deno"]  # noqa: SLF001
        lib = provider._get_script(ScriptType.LIB).code  # noqa: SLF001
        core = provider._get_script(ScriptType.CORE).code  # noqa: SLF001
        stdin = f"{lib}\nObject.assign(globalThis, lib);\n{core}\nconsole.log(typeof jsc);\n"
        out = provider._run_deno(stdin, [*provider._DENO_BASE_OPTIONS, "--no-npm", "--cached-only"])  # noqa: SLF001
    assert out.strip() == "function"


def test_a_missing_binary_is_reported_as_no_runtime(tmp_path: Path) -> None:
    """The checks above can fail: a path without Deno gives yt-dlp no runtime and no provider."""
    client = YouTubeClient(js_runtime_path=tmp_path / "no-such-deno")
    with YoutubeDL(client.ytdlp_options()) as ydl:
        assert ydl._js_runtimes["deno"].info is None  # noqa: SLF001
        ie = ydl.get_info_extractor("Youtube")
        ie.initialize()
        assert not ie._jsc_director.providers["Deno"].is_available()  # noqa: SLF001
