import platform

import numpy as np

import exactmdm as em
from exactmdm import provenance


def test_package_versions_name_the_libraries_and_python():
    out = provenance.package_versions()
    assert out["exactmdm"] == em.__version__
    assert out["numpy"] == np.__version__
    assert out["python"] == platform.python_version()
    assert {"numba", "sympy", "networkx"} <= set(out) and "torch" not in out


def test_the_theorem_layer_reads_the_same_function():
    from exactmdm.theorems import result

    assert result.package_versions is provenance.package_versions
