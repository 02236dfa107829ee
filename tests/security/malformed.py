"""Malformed files of every kind retrograd reads, for test_untrusted_files.py.

Each generator returns ``[(name, bytes), ...]``: a few valid files, each truncated at several
points and with random bits flipped (seeded), plus files crafted to attack one parser (huge
declared sizes, deep nesting, forged dtypes, negative offsets, payloads that try to run code:
they would create ``marker``).
"""
import builtins
import gzip
import io
import json
import os
import pickle
import random
import struct
import tarfile
import zlib

import numpy as np

RECONSTRUCT = np.empty(0).__reduce__()[0]


class Calls:
    """Pickles as a call of ``func(*args)`` (with ``state`` for BUILD, if given)."""

    def __init__(self, func, *args, state=None):
        self.func, self.args, self.state = func, args, state

    def __reduce__(self):
        return (self.func, self.args) if self.state is None else (self.func, self.args, self.state)


def mutations(name, data, seed, flips=25, region=None):
    """Truncations at 8 points and ``flips`` single-bit flips (within ``region`` bytes)."""
    rng = random.Random(seed)
    out = [(f"{name}-cut{k}", data[:len(data) * k // 8]) for k in range(8)]
    span = min(len(data), region or len(data))
    for i in range(flips):
        flipped = bytearray(data)
        pos = rng.randrange(span)
        flipped[pos] ^= 1 << rng.randrange(8)
        out.append((f"{name}-flip{i}", bytes(flipped)))
    return out


# ----- pickles (CIFAR batches) --------------------------------------------------------------------
def cifar_batch(n=4, protocol=2):
    rng = np.random.default_rng(0)
    return pickle.dumps({b"batch_label": b"training batch 1 of 5",
                         b"labels": [int(v) for v in rng.integers(0, 10, n)],
                         b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
                         b"filenames": [b"img_%d.png" % i for i in range(n)]}, protocol=protocol)


def billion_laughs(levels=30, width=10):
    out = b"\x80\x02]q\x00"
    for i in range(levels):
        out += b"(" + (b"h" + bytes([i])) * width + b"lq" + bytes([i + 1])
    return out + b"."


def reused_bytes(size=1 << 20, times=300):
    """A ``size``-byte string encoded to bytes ``times`` times through memo references."""
    text = b"X" + size.to_bytes(4, "little") + b"x" * size
    head = b"\x80\x02c_codecs\nencode\nq\x00" + text + b"q\x01X\x06\x00\x00\x00latin1q\x02"
    return head + b"(" + b"h\x00h\x01h\x02\x86R" * times + b"l."


def pickle_attacks(marker):
    touch = f"open({str(marker)!r}, 'w').close()"
    forged_dtype = Calls(np.dtype, "u8", False, True,
                         state=(3, "|", None, ("a",), {"a": (np.dtype("O"), 0)}, 8, 1, 0x3F))
    forged_array = Calls(RECONSTRUCT, np.ndarray, (0,), b"b",
                         state=(1, (1,), forged_dtype, False, b"A" * 8))
    u1 = Calls(np.dtype, "u1", False, True, state=(3, "|", None, None, None, -1, -1, 0))

    def array(shape, raw, dtype=u1):
        return Calls(RECONSTRUCT, np.ndarray, (0,), b"b", state=(1, shape, dtype, False, raw))

    objects = {
        "os-system": Calls(os.system, f"touch {marker}"),
        "eval": [Calls(builtins.eval, touch)],
        "exec-in-batch": {b"data": Calls(builtins.exec, touch), b"labels": [0]},
        "getattr": Calls(getattr, Calls(__import__, "os"), "system"),
        "forged-dtype": forged_dtype,
        "forged-dtype-array": {b"data": forged_array, b"labels": [0]},
        "object-array": {b"data": np.array([None, 1], dtype=object), b"labels": [0, 1]},
        "structured-object": np.zeros(2, dtype=[("a", "O")]),
        "numpy-scalar": {b"data": np.float64(1.0)},
        "ndarray-negative-offset": Calls(np.ndarray, (4,), np.dtype("u1"), b"abcd", -(1 << 40)),
        "huge-shape": {b"data": array((1 << 40, 3072), b"x" * 16), b"labels": [0]},
        "huge-dims": array((10**30,), b"x"),
        "negative-dims": array((-1, 3072), b""),
        "short-data": array((4, 3072), b"x" * 100),
        "raw-as-list": array((2,), [1, 2]),
        "codecs-rot13": Calls(__import__("_codecs").encode, "x", "rot13"),
    }
    out = [(name, pickle.dumps(obj, protocol=p)) for name, obj in objects.items()
           for p in (2, 4)]
    out += [
        ("billion-laughs", billion_laughs()),
        ("reused-bytes", reused_bytes()),
        ("deep-nesting", b"\x80\x02" + b"(" * 100_000 + b"l" * 100_000 + b"."),
        ("self-cycle", b"\x80\x02]q\x00h\x00a."),
        ("inst-os-system", f"(S'touch {marker}'\nios\nsystem\n.".encode()),
        ("obj-ndarray", b"\x80\x02cnumpy\nndarray\nq\x00)\x81."),
        ("newobj-ndarray", b"\x80\x02cnumpy\nndarray\n)\x81."),
        ("persistent-id", b"\x80\x02X\x01\x00\x00\x00xQ."),
        ("memo-missing", b"\x80\x02h\x05."),
        ("stop-empty", b"\x80\x02."),
        ("bad-proto", b"\x80\x09N."),
        ("long4-huge", b"\x80\x02\x8b\xff\xff\xff\x7f."),
        ("binbytes8-huge", b"\x80\x04\x8e" + struct.pack("<Q", 1 << 62) + b"."),
        ("frame-huge", b"\x80\x04\x95" + struct.pack("<Q", 1 << 62) + b"N."),
        ("empty", b""),
        ("text", b"hello, this is not a pickle\n"),
    ]
    return out


def pickle_files(marker):
    valid = [("batch-p2", cifar_batch(protocol=2)), ("batch-p4", cifar_batch(protocol=4)),
             ("batch-p5", cifar_batch(protocol=5))]
    out = list(valid)
    for i, (name, data) in enumerate(valid):
        out += mutations(name, data, seed=i, flips=40)
        out += mutations(name + "-head", data, seed=10 + i, flips=40, region=200)
    return out + pickle_attacks(marker)


def tar_gz(members):
    """A .tar.gz holding ``members`` (name -> bytes)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def cifar_archives(batch):
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    meta = pickle.dumps({b"label_names": [b"a"] * 10}, protocol=2)
    members = {f"cifar-10-batches-py/{n}": batch for n in names}
    valid = tar_gz({**members, "cifar-10-batches-py/batches.meta": meta})
    out = [("archive", valid)] + mutations("archive", valid, seed=70, flips=30)
    evil = pickle.dumps(Calls(os.system, "touch PWNED"))
    out.append(("archive-evil", tar_gz({**members, "cifar-10-batches-py/data_batch_3": evil})))
    out.append(("archive-missing", tar_gz({"cifar-10-batches-py/data_batch_1": batch})))
    out.append(("not-gzip", b"PK\x03\x04 a zip, not a tar.gz"))
    return out


# ----- IDX --------------------------------------------------------------------------------------
def idx_header(code, dims):
    return struct.pack(">BBBB", 0, 0, code, len(dims)) + struct.pack(f">{len(dims)}I", *dims)


def idx_files():
    images = np.arange(3 * 4 * 4, dtype=np.uint8).reshape(3, 4, 4)
    raw = idx_header(0x08, images.shape) + images.tobytes()
    valid = [("images", raw), ("images-gz", gzip.compress(raw, mtime=0))]
    out = list(valid)
    for i, (name, data) in enumerate(valid):
        out += mutations(name, data, seed=20 + i, flips=30)
    out += [
        ("dims-overflow", idx_header(0x08, [0xFFFFFFFF] * 4) + b"x" * 64),
        ("dims-wrap-int64", idx_header(0x0E, [1 << 16, 1 << 16, 1 << 16, 1 << 16]) + b"x" * 8),
        ("dims-zero-huge", idx_header(0x08, [0, 0xFFFFFFFF, 0xFFFFFFFF])),
        ("ndim-255", idx_header(0x08, [1] * 255) + b"x"),
        ("ndim-255-short", struct.pack(">BBBB", 0, 0, 0x08, 255) + b"\x00" * 10),
        ("bad-code", idx_header(0x42, [2]) + b"xx"),
        ("gz-garbage", b"\x1f\x8b" + b"\x00" * 30),
        ("gz-huge-declared", gzip.compress(idx_header(0x08, [1 << 30, 4]) + b"x" * 1000)),
    ]
    return out


# ----- safetensors, checkpoints and model files ----------------------------------------------
def safetensors_bytes(header, data=b""):
    text = json.dumps(header).encode() if not isinstance(header, bytes) else header
    return struct.pack("<Q", len(text)) + text + data


def split(file_bytes):
    n = struct.unpack("<Q", file_bytes[:8])[0]
    return json.loads(file_bytes[8:8 + n]), file_bytes[8 + n:]


def with_metadata(file_bytes, key, value):
    header, data = split(file_bytes)
    header.setdefault("__metadata__", {})[key] = value
    return safetensors_bytes(header, data)


def header_attacks():
    deep = b"[" * 100_000 + b"]" * 100_000
    f32 = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}
    return [
        ("header-len-huge", struct.pack("<Q", 1 << 62) + b"{}"),
        ("header-len-past-end", struct.pack("<Q", 1000) + b"{}"),
        ("header-deep-nesting", safetensors_bytes(deep)),
        ("header-deep-object", safetensors_bytes(b'{"a":' * 50_000 + b"1" + b"}" * 50_000)),
        ("header-not-object", safetensors_bytes([1, 2])),
        ("header-bad-utf8", safetensors_bytes(b'{"\xff\xfe": 1}')),
        ("info-not-dict", safetensors_bytes({"w": 5})),
        ("dtype-bf16", safetensors_bytes({"w": {**f32, "dtype": "BF16", "data_offsets": [0, 4]}},
                                         b"\x00" * 4)),
        ("dtype-bogus", safetensors_bytes({"w": {**f32, "dtype": "OBJ"}}, b"\x00" * 8)),
        ("shape-huge", safetensors_bytes({"w": {**f32, "shape": [1 << 40, 1 << 40]}}, b"\x00" * 8)),
        ("shape-negative", safetensors_bytes({"w": {**f32, "shape": [-2]}}, b"\x00" * 8)),
        ("offsets-negative", safetensors_bytes({"w": {**f32, "data_offsets": [-8, 0]}}, b"\x00" * 8)),
        ("offsets-past-end", safetensors_bytes({"w": {**f32, "data_offsets": [0, 1 << 40]}},
                                               b"\x00" * 8)),
        ("metadata-not-strings", safetensors_bytes({"__metadata__": {"a": [1]}, "w": f32},
                                                   b"\x00" * 8)),
        ("key-order-ints", safetensors_bytes({"__metadata__": {"retrograd.key_order": "[1, 2]"},
                                              "w": f32}, b"\x00" * 8)),
        ("key-order-mixed", safetensors_bytes({"__metadata__": {"retrograd.key_order": '["w", 1]'},
                                               "w": f32}, b"\x00" * 8)),
        ("key-order-deep", safetensors_bytes({"__metadata__": {"retrograd.key_order": deep.decode()},
                                              "w": f32}, b"\x00" * 8)),
        ("key-order-not-list", safetensors_bytes({"__metadata__": {"retrograd.key_order": "{}"},
                                                  "w": f32}, b"\x00" * 8)),
    ]


def state_dict_files(valid):
    out = [("weights", valid)]
    out += mutations("weights", valid, seed=30, flips=30)
    out += mutations("weights-head", valid, seed=31, flips=40, region=len(split(valid)[0]) + 100)
    return out + header_attacks()


def checkpoint_files(valid):
    key = "retrograd.checkpoint"
    doc = json.loads(split(valid)[0]["__metadata__"][key])
    deep = '{"a":' * 50_000 + "1" + "}" * 50_000

    def variant(**changes):
        return with_metadata(valid, key, json.dumps({**doc, **changes}))

    out = [("checkpoint", valid)]
    out += mutations("checkpoint", valid, seed=40, flips=40, region=len(json.dumps(doc)) + 300)
    out += [
        ("ckpt-json-deep", with_metadata(valid, key, deep)),
        ("ckpt-json-bad", with_metadata(valid, key, "{not json")),
        ("ckpt-not-object", with_metadata(valid, key, "[1, 2]")),
        ("ckpt-model-keys-ints", variant(model_keys=[1, 2])),
        ("ckpt-model-keys-missing", variant(model_keys=["nope"])),
        ("ckpt-model-keys-dict", variant(model_keys={"a": 1})),
        ("ckpt-version", variant(version=99)),
        ("ckpt-epoch-str", variant(epoch="three")),
        ("ckpt-epoch-negative", variant(epoch=-5)),
        ("ckpt-optimizer-list", variant(optimizer=[1, 2, 3])),
        ("ckpt-optimizer-none", variant(optimizer=None)),
        ("ckpt-optimizer-class", variant(optimizer_class="Adam")),
        ("ckpt-optimizer-groups", variant(optimizer={"state": {}, "param_groups": "x"})),
        ("ckpt-tag-unknown", variant(extra={"__rg__": "eval", "items": []})),
        ("ckpt-tag-no-items", variant(extra={"__rg__": "tuple"})),
        ("ckpt-tag-bad-pairs", variant(extra={"__rg__": "dict", "items": [[1], [2, 3, 4]]})),
        ("ckpt-tag-unhashable", variant(extra={"__rg__": "dict", "items": [[[1], 2]]})),
        ("ckpt-tensor-missing", variant(extra={"__rg__": "tensor", "name": "nope"})),
        ("ckpt-rng-garbage", variant(rng={"state": "x"})),
        ("ckpt-loader-garbage", variant(loader=5)),
    ]
    return out


def model_files(valid):
    key = "retrograd_model"
    spec = json.loads(split(valid)[0]["__metadata__"][key])

    def variant(**changes):
        return with_metadata(valid, key, json.dumps({**spec, **changes}))

    out = [("model", valid)]
    out += mutations("model", valid, seed=50, flips=40, region=400)
    out += [
        ("spec-classes-huge", variant(num_classes=10**12)),
        ("spec-classes-str", variant(num_classes="10")),
        ("spec-name-int", variant(name=5)),
        ("spec-name-unknown", variant(name="nosuchnet")),
        ("spec-image-huge", variant(image_size=10**9)),
        ("spec-channels-mismatch", variant(in_channels=3)),
        ("spec-channels-huge", variant(in_channels=10**6)),
        ("spec-hidden-huge", variant(kwargs={"hidden": [10**9]})),
        ("spec-hidden-many", variant(kwargs={"hidden": [1000] * 1000})),
        ("spec-kwarg-unknown", variant(kwargs={"evil": "x"})),
        ("spec-kwarg-dunder", variant(kwargs={"__class__": 1})),
        ("spec-kwargs-list", variant(kwargs=[1])),
        ("spec-classes-short", variant(classes=["a"])),
        ("spec-deep", with_metadata(valid, key, "[" * 100_000 + "]" * 100_000)),
        ("spec-not-json", with_metadata(valid, key, "{{{")),
        ("spec-not-object", with_metadata(valid, key, '"mlp"')),
    ]
    return out


# ----- inputs of `retrograd predict` ------------------------------------------------------------
def png_bytes(array):
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


def png_declaring(width, height):
    """A PNG whose IHDR declares ``width`` x ``height`` (valid CRC) over a tiny image."""
    data = bytearray(png_bytes(np.zeros((2, 2), np.uint8)))
    ihdr = 8 + 8  # signature, then length and type of the IHDR chunk
    data[ihdr:ihdr + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr - 4:ihdr + 13])) & 0xFFFFFFFF
    data[ihdr + 13:ihdr + 17] = struct.pack(">I", crc)
    return bytes(data)


def npy_bytes(array):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=True)
    return buf.getvalue()


def npy_with_header(header_text):
    header = header_text.encode("latin1")
    header += b" " * (-(len(header) + 11) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header


def input_files(marker):
    digit = np.full((28, 28), 255, np.uint8)
    digit[6:22, 12:16] = 0
    valid = [("digit.png", png_bytes(digit)), ("digits.npy", npy_bytes(digit[None]))]
    out = list(valid)
    for i, (name, data) in enumerate(valid):
        stem, ext = name.split(".")
        out += [(f"{n}.{ext}", d) for n, d in mutations(stem, data, seed=60 + i, flips=25)]
    out += [
        ("bomb.png", png_declaring(30000, 30000)),
        ("large.png", png_declaring(10000, 10000)),
        ("empty.npy", npy_bytes(np.zeros((0,), np.float32))),
        ("text.npy", b"1 2 3\n4 5 6\n"),
        ("object.npy", npy_bytes(np.array([Calls(os.system, f"touch {marker}")], dtype=object))),
        ("strings.npy", npy_bytes(np.array(["a", "b"]))),
        ("structured.npy", npy_bytes(np.zeros(3, dtype=[("a", "f4"), ("b", "i4")]))),
        ("nan.npy", npy_bytes(np.full((28, 28), np.nan, np.float32))),
        ("huge-shape.npy", npy_with_header("{'descr': '<f4', 'fortran_order': False, "
                                           "'shape': (1000000000000,), }")),
        ("huge-dims.npy", npy_with_header("{'descr': '<f8', 'fortran_order': False, "
                                          "'shape': (1000000, 1000000, 1000000), }")),
        ("bad-header.npy", npy_with_header("{'descr': __import__('os'), }")),
        ("empty.png", b""),
    ]
    return out
