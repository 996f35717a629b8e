"""Finding and loading the operator library, libsparse_workbench_ops.so (built by the project's CMake)."""

import glob
import os

import torch

LIBRARY_NAME = "libsparse_workbench_ops.so"
LIBRARY_ENV = "SPARSE_WORKBENCH_LIBRARY"

_loaded_path = None


def _registered():
    try:
        torch.ops.sparse_workbench.block_sparse_attention
    except (AttributeError, RuntimeError):
        return False
    return True


def _candidates():
    """Where load() looks when no path is given, in order."""
    package_dir = os.path.dirname(os.path.abspath(__file__))
    places = []
    if os.environ.get(LIBRARY_ENV):
        places.append(os.environ[LIBRARY_ENV])
    # After cmake --install the library sits inside the package.
    places.append(os.path.join(package_dir, LIBRARY_NAME))
    # In a source checkout (python/sparse_workbench/), the build trees next to python/, newest first.
    source_root = os.path.dirname(os.path.dirname(package_dir))
    built = glob.glob(os.path.join(source_root, "build*", "ops", LIBRARY_NAME))
    places.extend(sorted(built, key=os.path.getmtime, reverse=True))
    return places


def load(path=None):
    """Loads the operator library once per process and returns the path it was loaded from.

    Without `path` it looks at $SPARSE_WORKBENCH_LIBRARY, then inside this package (installed), then in the build
    trees of the source checkout (build*/ops/). Loading again is a no-op; if the operators were registered by other
    means (torch.ops.load_library called directly), returns None.
    """
    global _loaded_path
    if _loaded_path is not None or _registered():
        return _loaded_path
    places = [os.fspath(path)] if path is not None else _candidates()
    for place in places:
        if os.path.isfile(place):
            try:
                torch.ops.load_library(place)
            except OSError as error:
                raise OSError(f"sparse_workbench: could not load {place}: {error}") from error
            _loaded_path = place
            return place
    raise FileNotFoundError(
        f"sparse_workbench: {LIBRARY_NAME} not found; looked at: {', '.join(places) or '(nowhere)'}. Build it "
        f"(cmake --build build --target sparse_workbench_ops), install it (cmake --install build), or set "
        f"{LIBRARY_ENV} to its path.")
