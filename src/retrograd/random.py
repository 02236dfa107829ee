"""Random number generators as ``torch.Generator`` and ``torch.random``: ``Generator``,
``default_generator`` (what every sampling function, initialiser, dropout and shuffle draws from
when given no ``generator=``), ``manual_seed``, ``seed``, ``initial_seed``, ``get_rng_state``,
``set_rng_state`` and ``fork_rng``.

A ``Generator`` is also a ``numpy.random.Generator`` (PCG64), so it goes wherever retrograd
accepted NumPy generators before. Streams are NumPy's, not PyTorch's: the same seed gives the
same numbers in retrograd, not the numbers PyTorch draws.

>>> import retrograd as rg
>>> g = rg.Generator().manual_seed(0)
>>> state = g.get_state()
>>> a = rg.rand(3, generator=g)
>>> bool((rg.rand(3, generator=g.set_state(state)) == a).all())
True
"""
from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

import numpy as np

DEFAULT_SEED = 67280421310721  # a fresh torch.Generator's seed
_WORD = 16  # bytes of one 128-bit PCG64 word
_STATE_BYTES = 2 * _WORD + 1 + 4  # state, increment, has_uint32, uinteger


def _as_seed(seed, op: str = "manual_seed") -> int:
    """A seed as the unsigned 64-bit integer PyTorch keeps (negative seeds wrap around)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise RuntimeError(f"{op} expected a long, but got {type(seed).__name__}")
    seed = int(seed)
    if not -2**63 <= seed < 2**64:
        raise ValueError(f"{op}: seed {seed} does not fit in 64 bits")
    return seed % 2**64


class Generator(np.random.Generator):
    """``torch.Generator``: a seeded stream of random numbers for ``generator=`` arguments.

    ``Generator(device='cpu')``; ``manual_seed(seed)`` returns the generator, so
    ``g = Generator().manual_seed(0)`` reads as in PyTorch. ``get_state()`` is a uint8 Tensor
    that ``set_state`` takes back (retrograd's own format, not PyTorch's bytes).
    """

    def __init__(self, device="cpu") -> None:
        from .device import check_device

        super().__init__(np.random.PCG64(DEFAULT_SEED))
        self.device = check_device(device, "Generator()")
        self._initial_seed = DEFAULT_SEED

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed``; returns this generator."""
        self._initial_seed = _as_seed(seed)
        self.bit_generator.state = np.random.PCG64(self._initial_seed).state
        return self

    def seed(self) -> int:
        """Seed from a non-deterministic source; returns the seed used."""
        self.manual_seed(secrets.randbits(64))
        return self._initial_seed

    def initial_seed(self) -> int:
        """The seed this stream started from."""
        return self._initial_seed

    def get_state(self):
        """Where the stream stands, as a 1-D uint8 Tensor (for ``set_state``)."""
        from .tensor import Tensor

        state = self.bit_generator.state
        words = (state["state"]["state"], state["state"]["inc"])
        raw = b"".join(w.to_bytes(_WORD, "little") for w in words)
        raw += bytes([state["has_uint32"]]) + int(state["uinteger"]).to_bytes(4, "little")
        return Tensor(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state) -> Generator:
        """Put the stream back where ``get_state`` found it; returns this generator."""
        from .tensor import Tensor

        if not isinstance(new_state, Tensor) or new_state.dtype != np.uint8:
            raise TypeError(f"set_state: expected a uint8 Tensor (from get_state()), got "
                            f"{type(new_state).__name__}" + (f" of {new_state.dtype}" if
                                                              isinstance(new_state, Tensor) else ""))
        if new_state.numel() != _STATE_BYTES:
            raise RuntimeError(f"set_state: expected a generator state of {_STATE_BYTES} bytes, got "
                               f"{new_state.numel()}")
        raw = new_state.array.reshape(-1).tobytes()
        word = [int.from_bytes(raw[i * _WORD:(i + 1) * _WORD], "little") for i in range(2)]
        self.bit_generator.state = {"bit_generator": "PCG64", "state": {"state": word[0], "inc": word[1]},
                                    "has_uint32": raw[2 * _WORD],
                                    "uinteger": int.from_bytes(raw[2 * _WORD + 1:], "little")}
        return self

    def clone_state(self) -> Generator:
        """A new generator at the same point of the same stream."""
        twin = Generator(self.device)
        twin._initial_seed = self._initial_seed
        return twin.set_state(self.get_state())

    def __reduce__(self):  # pickles and deep-copies as a retrograd Generator, not NumPy's
        return _restore, (str(self.device), self._initial_seed, self.bit_generator.state)

    def __repr__(self) -> str:
        return f"<retrograd.Generator device={self.device} initial_seed={self._initial_seed}>"

    __str__ = __repr__


def _restore(device: str, initial_seed: int, state: dict) -> Generator:
    g = Generator(device)
    g._initial_seed = initial_seed
    g.bit_generator.state = state
    return g


default_generator = Generator()
default_generator.seed()  # the process's stream starts from a random seed, as PyTorch's


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (initialisers, dropout, rand, shuffling); returns it."""
    return default_generator.manual_seed(int(seed))  # int(): torch.manual_seed(2.0) works too


def seed() -> int:
    """Seed the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator started from."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state, a uint8 Tensor (for ``set_rng_state``)."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    """Put the default generator back where ``get_rng_state`` found it."""
    default_generator.set_state(new_state)


def get_generator() -> Generator:
    """The default generator (what draws take when given no ``generator=``)."""
    return default_generator


def generator_or_default(generator) -> np.random.Generator:
    """What a ``generator=`` argument draws from: None is the default generator; a retrograd
    Generator (or a NumPy one) is itself."""
    if generator is None:
        return default_generator
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(f"generator must be a retrograd.Generator (or numpy.random.Generator), "
                    f"got {type(generator).__name__}")


@contextlib.contextmanager
def fork_rng(devices=None, enabled: bool = True, *, device_type=None, **_) -> Iterator[None]:
    """Draws inside the block leave the default generator where it was before."""
    if not enabled:
        yield
        return
    state, seed_ = default_generator.bit_generator.state, default_generator.initial_seed()
    try:
        yield
    finally:
        default_generator.bit_generator.state = state
        default_generator._initial_seed = seed_
