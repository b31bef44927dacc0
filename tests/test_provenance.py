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


def test_certificates_record_these_versions():
    from exactmdm.theorems import run

    cert = run("theorem_li_cai_lower", families=["ngram2-V2"], seeds=[0], length=3).to_certificate()
    assert cert["versions"] == provenance.package_versions()
