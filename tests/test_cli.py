"""cli.run_main: exit codes of every command line, Ctrl-C included; the shared path checks."""

import pytest

from exactmdm import cli
from exactmdm.errors import InvalidArgument


def _numba_style_interrupt(argv):
    """What Ctrl-C inside a Numba kernel raises: a SystemError chained to the KeyboardInterrupt."""
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt:
        raise SystemError("<built-in function kernel> returned a result with an exception set")


def _caused_by_interrupt(argv):
    raise SystemError("returned a result with an exception set") from KeyboardInterrupt()


def _raise(exc):
    def dispatch(argv):
        raise exc
    return dispatch


@pytest.mark.parametrize("dispatch", [_numba_style_interrupt, _caused_by_interrupt, _raise(KeyboardInterrupt())])
def test_ctrl_c_is_130_even_through_a_numba_kernel(dispatch, capsys):
    assert cli.run_main(dispatch, []) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "internal error" not in err


def test_exit_codes(capsys):
    assert cli.run_main(lambda argv: cli.REFUTED, []) == 1
    assert cli.run_main(_raise(cli.UsageError("--flag x: bad")), []) == 2
    assert cli.run_main(_raise(InvalidArgument("x=1: bad")), []) == 2
    assert cli.run_main(_raise(SystemError("a real bug")), []) == 3
    assert "a real bug" in capsys.readouterr().err
    assert cli.run_main(_raise(ZeroDivisionError()), []) == 3


def test_writable_path_refuses_with_the_flag_named(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(cli.UsageError, match="--out .*file/run: cannot write there"):
        cli.writable_path(blocker / "run", folder=True, flag="--out")
    with pytest.raises(cli.UsageError, match="--json .*file/x.json: cannot write there"):
        cli.writable_path(blocker / "x.json", folder=False, flag="--json")
    with pytest.raises(cli.UsageError, match="--json .* is a folder"):
        cli.writable_path(tmp_path, folder=False, flag="--json")
    assert cli.writable_path(tmp_path / "new" / "x.json", folder=False, flag="--json").parent.is_dir()
    assert not list((tmp_path / "new").iterdir())  # the probe is removed


def test_plot_path_refuses_a_bad_suffix(tmp_path):
    pytest.importorskip("matplotlib")
    with pytest.raises(cli.UsageError, match=r"--plot: plot path .*e.txt.* must end in .png, .svg or .pdf"):
        cli.plot_path(tmp_path / "e.txt")
    assert cli.plot_path(tmp_path / "e.png").name == "e.png"
