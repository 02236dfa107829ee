"""``retrograd.backends.cudnn``: the flags scripts set (``cudnn.deterministic = True``,
``cudnn.benchmark = False``) are accepted and have no effect: there is no cuDNN. CPU results
are deterministic already."""

enabled = True
deterministic = False
benchmark = False
allow_tf32 = True


def is_available() -> bool:
    return False


def version():
    return None
