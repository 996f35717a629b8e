"""cmake --install puts the package and the library where Python imports them: installs the "python" component
into a temporary prefix and, in a fresh interpreter with only that folder on PYTHONPATH and no
SPARSE_WORKBENCH_LIBRARY, imports sparse_workbench, loads the library from inside the package and runs the
operator."""

import os
import subprocess
import sys
import tempfile
import unittest

CHECK = """
import os, sys, torch, sparse_workbench
path = sparse_workbench.load()
assert os.path.dirname(path) == os.path.dirname(sparse_workbench.__file__), path
assert path.startswith(sys.argv[1]), path
module = sparse_workbench.BlockSparseAttention({"mode": "local", "block": 16}, num_heads=2, max_seq_length=64)
query = torch.randn(1, 2, 40, 8, requires_grad=True)
module(query, query, query).sum().backward()
assert query.grad.shape == query.shape
print("ok")
"""


class InstallTest(unittest.TestCase):
    def test_install_then_import(self):
        with tempfile.TemporaryDirectory() as prefix:
            subprocess.run([os.environ["SPW_CMAKE_COMMAND"], "--install", os.environ["SPW_BUILD_DIR"], "--prefix",
                            prefix, "--component", "python"], check=True, capture_output=True)
            site = os.path.join(prefix, os.environ["SPW_PYTHON_INSTALL_DIR"])
            environment = {k: v for k, v in os.environ.items() if k != "SPARSE_WORKBENCH_LIBRARY"}
            environment["PYTHONPATH"] = site
            # From a folder without the sources, so that nothing but the installed package can be imported.
            result = subprocess.run([sys.executable, "-c", CHECK, os.path.realpath(prefix)], env=environment,
                                    cwd=prefix, capture_output=True, text=True)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout.strip(), "ok")


if __name__ == "__main__":
    unittest.main()
