"""``retrograd.backends.mps``: Apple's GPU backend, as PyTorch's CPU build reports it (absent)."""


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
