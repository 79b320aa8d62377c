#!/usr/bin/env python3
"""Writes tests/fuzz/corpus/import_tflite/conv.tflite: the smallest TFLite model the importer's parser walks in
full (one CONV_2D with weights and bias, fp32), built field by field from the schema in tflite.md, so the fuzz
corpus needs no TensorFlow and no copy of a published model. Needs the `flatbuffers` package from PyPI."""
import struct
import sys

import flatbuffers

def vector(b, values, fmt, size):
    b.StartVector(size, len(values), size)
    for v in reversed(values):
        if fmt == "i":
            b.PrependInt32(v)
        else:
            b.PrependUint8(v)
    return b.EndVector()

def offsets(b, items):
    b.StartVector(4, len(items), 4)
    for o in reversed(items):
        b.PrependUOffsetTRelative(o)
    return b.EndVector()

def main(out):
    b = flatbuffers.Builder(1024)
    weights = struct.pack("<216f", *[0.01 * (i % 7 - 3) for i in range(216)])
    bias = struct.pack("<8f", *[0.1 * i for i in range(8)])
    buffers = []
    for data in (b"", weights, bias, b"", b""):
        d = vector(b, list(data), "B", 1) if data else None
        b.StartObject(3)
        if d is not None:
            b.PrependUOffsetTRelativeSlot(0, d, 0)
        buffers.append(b.EndObject())
    tensors = []
    for name, shape, buf in (("input", [1, 32, 32, 3], 0), ("conv/kernel", [8, 3, 3, 3], 1),
                             ("conv/bias", [8], 2), ("output", [1, 16, 16, 8], 3)):
        n = b.CreateString(name)
        s = vector(b, shape, "i", 4)
        b.StartObject(8)
        b.PrependUOffsetTRelativeSlot(0, s, 0)
        b.PrependInt8Slot(1, 0, 0)         # FLOAT32
        b.PrependUint32Slot(2, buf, 0)
        b.PrependUOffsetTRelativeSlot(3, n, 0)
        tensors.append(b.EndObject())
    b.StartObject(6)                       # Conv2DOptions: SAME, stride 2, no activation
    b.PrependInt8Slot(0, 0, 0)
    b.PrependInt32Slot(1, 2, 0)
    b.PrependInt32Slot(2, 2, 0)
    b.PrependInt32Slot(4, 1, 1)
    b.PrependInt32Slot(5, 1, 1)
    conv_options = b.EndObject()
    ins, outs = vector(b, [0, 1, 2], "i", 4), vector(b, [3], "i", 4)
    b.StartObject(5)
    b.PrependUint32Slot(0, 0, 0)
    b.PrependUOffsetTRelativeSlot(1, ins, 0)
    b.PrependUOffsetTRelativeSlot(2, outs, 0)
    b.PrependUint8Slot(3, 1, 0)            # BuiltinOptions.Conv2DOptions
    b.PrependUOffsetTRelativeSlot(4, conv_options, 0)
    op = b.EndObject()
    name = b.CreateString("main")
    t, i, o, ops = offsets(b, tensors), vector(b, [0], "i", 4), vector(b, [3], "i", 4), offsets(b, [op])
    b.StartObject(5)
    b.PrependUOffsetTRelativeSlot(0, t, 0)
    b.PrependUOffsetTRelativeSlot(1, i, 0)
    b.PrependUOffsetTRelativeSlot(2, o, 0)
    b.PrependUOffsetTRelativeSlot(3, ops, 0)
    b.PrependUOffsetTRelativeSlot(4, name, 0)
    subgraph = b.EndObject()
    b.StartObject(4)                       # OperatorCode CONV_2D (3), version 1
    b.PrependInt8Slot(0, 3, 0)
    b.PrependInt32Slot(2, 1, 1)
    b.PrependInt32Slot(3, 3, 0)
    code = b.EndObject()
    description = b.CreateString("portraitseg fuzz seed")
    codes, subgraphs, bufs = offsets(b, [code]), offsets(b, [subgraph]), offsets(b, buffers)
    b.StartObject(5)
    b.PrependUint32Slot(0, 3, 0)
    b.PrependUOffsetTRelativeSlot(1, codes, 0)
    b.PrependUOffsetTRelativeSlot(2, subgraphs, 0)
    b.PrependUOffsetTRelativeSlot(3, description, 0)
    b.PrependUOffsetTRelativeSlot(4, bufs, 0)
    model = b.EndObject()
    b.Finish(model, file_identifier=b"TFL3")
    with open(out, "wb") as f:
        f.write(b.Output())

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus/import_tflite/conv.tflite")
