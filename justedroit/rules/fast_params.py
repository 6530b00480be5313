"""Performance shim: OpenFisca-Core 44's fancy indexing of parameters, one node per distinct key.

Housing aid reads its scales by zone (`plafonds[zone_apl]`) and by other per-household keys.
OpenFisca-Core 44 builds such a "vectorial" node as a Python list holding one parameter node
per household, and every attribute access walks that list again: about 40 % of the whole
monthly run at 95,000 households. There are only a handful of distinct keys, so this shim
keeps one node per distinct key plus an index array, and expands values with numpy. The values,
dtypes and errors are the same; tests compare whole runs with and without it.

It replaces one static method of one class, only for the openfisca-core series it was checked
against (see SUPPORTED_CORE), and can be switched off (`original_fancy_indexing`). Upstream
improved part of this in openfisca-core#1340; contributing the rest there would retire it.
"""

from __future__ import annotations

import contextlib
from importlib import metadata
from typing import cast

import numpy as np
from openfisca_core.indexed_enums import Enum, EnumArray
from openfisca_core.parameters import ParameterNodeAtInstant
from openfisca_core.parameters import VectorialParameterNodeAtInstant as Vectorial

SUPPORTED_CORE = "44."
_ORIGINAL = Vectorial.__dict__["build_from_node_name"]


class CompactVectorialNode(Vectorial):
    """A vectorial parameter node stored as distinct nodes plus, per element, an index."""

    def __init__(self, distinct: list, inverse: np.ndarray, name: str, instant_str: str) -> None:
        self._distinct = distinct
        self._inverse = inverse
        self._name = name
        self._instant_str = instant_str

    @property
    def vector(self) -> list:
        """The per-element list OpenFisca's own class holds, for any code that reads it."""
        return [self._distinct[i] for i in self._inverse.tolist()]

    def __getitem__(self, key):
        if isinstance(key, str):
            return _build(self, [node[key] for node in self._distinct], self._inverse)
        if isinstance(key, EnumArray):
            names = cast(type[Enum], key.possible_values).names[np.asarray(key)]
        elif len(key) and isinstance(key[0], Enum):
            names = np.array([k.name for k in key])
        else:
            names = np.asarray(key)
        distinct_names, name_index = np.unique(names, return_inverse=True)
        pairs, inverse = np.unique(
            self._inverse * len(distinct_names) + name_index.reshape(-1), return_inverse=True
        )
        children = [
            self._distinct[p // len(distinct_names)][distinct_names[p % len(distinct_names)]]
            for p in pairs.tolist()
        ]
        return _build(self, children, inverse.reshape(-1))


def _build(parent, children: list, inverse: np.ndarray):
    # As Vectorial.build_from_nodes: nodes stay vectorial, leaves become a numpy array (the
    # dtype numpy infers from the distinct values is the one it infers from all of them).
    if isinstance(children[0], ParameterNodeAtInstant):
        return CompactVectorialNode(children, inverse, parent._name, parent._instant_str)
    return np.array(children)[inverse]


def _build_from_node_name(node, key):
    Vectorial.check_node_vectorisable(node)
    keys = Vectorial._get_appropriate_keys(key)
    get_subnode_key = Vectorial._get_appropriate_subnode_function(keys[0])
    if keys.dtype == object:  # Enum members: hashable, not orderable
        codes: dict = {}
        inverse = np.array([codes.setdefault(k, len(codes)) for k in keys], dtype=np.int64)
        distinct = list(codes)
    else:
        distinct_array, inverse = np.unique(keys, return_inverse=True)
        distinct = list(distinct_array)
        inverse = inverse.reshape(-1)
    nodes = [node[get_subnode_key(node, k)] for k in distinct]
    return _build(node, nodes, inverse)


def supported() -> bool:
    return metadata.version("openfisca-core").startswith(SUPPORTED_CORE)


def install() -> bool:
    """Use the compact nodes (idempotent). False, and nothing changed, on an unchecked core."""
    if not supported():
        return False
    Vectorial.build_from_node_name = staticmethod(_build_from_node_name)
    return True


@contextlib.contextmanager
def original_fancy_indexing():
    """OpenFisca's own implementation for the duration of the block (for comparisons)."""
    current = Vectorial.__dict__["build_from_node_name"]
    Vectorial.build_from_node_name = _ORIGINAL
    try:
        yield
    finally:
        Vectorial.build_from_node_name = current
