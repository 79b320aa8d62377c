#!/usr/bin/python3
"""Writes the onednn_graph fuzz seed: a small fp32 graph with every op the oneDNN engine compiles and every rewrite
it makes (ReLU6 as Relu(x) - Relu(x - 6), Pad before Conv, Slice after ConvTranspose, PRelu and residual Add after
Conv, a 1x1 Conv over a resized 1x1 map concatenated with a value), as portraitseg's exporter writes them.

    tests/fuzz/make_onednn_seed.py tests/fuzz/corpus/onednn_graph/ops.onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(0)
inits = []


def const(name, array):
    inits.append(numpy_helper.from_array(np.asarray(array), name))
    return name


def w(name, *shape):
    return const(name, rng.standard_normal(shape).astype(np.float32) * 0.3)


nodes = [
    helper.make_node("Pad", ["input", const("pads", np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64))], ["p"]),
    helper.make_node("Conv", ["p", w("c1w", 8, 3, 3, 3), w("c1b", 8)], ["c1"], kernel_shape=[3, 3], strides=[2, 2]),
    helper.make_node("Sub", ["c1", const("six", np.array([6], np.float32))], ["s6"]),
    helper.make_node("Relu", ["s6"], ["r6"]),
    helper.make_node("Relu", ["c1"], ["r"]),
    helper.make_node("Sub", ["r", "r6"], ["relu6"]),
    helper.make_node("Conv", ["relu6", w("dw", 8, 1, 3, 3), w("dwb", 8)], ["c2"], kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                     group=8),
    helper.make_node("PRelu", ["c2", w("slope", 8, 1, 1)], ["pr"]),
    helper.make_node("Conv", ["pr", w("pw", 8, 8, 1, 1), w("pwb", 8)], ["c3"], kernel_shape=[1, 1]),
    helper.make_node("Add", ["c3", "relu6"], ["res"]),
    helper.make_node("MaxPool", ["res"], ["mp"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("ConvTranspose", ["mp", w("tw", 8, 4, 3, 3), w("tb", 4)], ["t"], kernel_shape=[3, 3],
                     strides=[2, 2]),
    helper.make_node("Slice", ["t", const("st", np.array([0], np.int64)), const("en", np.array([-1], np.int64)),
                               const("ax", np.array([2], np.int64))], ["t1"]),
    helper.make_node("Slice", ["t1", const("st2", np.array([0], np.int64)), const("en2", np.array([-1], np.int64)),
                               const("ax2", np.array([3], np.int64))], ["t2"]),
    helper.make_node("Relu", ["t2"], ["tr"]),
    helper.make_node("Concat", ["tr", "res"], ["cat"], axis=1),
    # DeepLabV3's image-pooling head: the pooled map through a 1x1 Conv, resized back, concatenated, a 1x1 Conv.
    helper.make_node("GlobalAveragePool", ["cat"], ["pooled"]),
    helper.make_node("Conv", ["pooled", w("gw", 4, 12, 1, 1), w("gb", 4)], ["pc"], kernel_shape=[1, 1]),
    helper.make_node("Resize", ["pc", "", const("rep_scales", np.array([1, 1, 8, 8], np.float32))], ["rep"],
                     mode="linear", coordinate_transformation_mode="align_corners"),
    helper.make_node("Concat", ["rep", "cat"], ["joined"], axis=1),
    helper.make_node("Conv", ["joined", w("jw", 12, 16, 1, 1), w("jb", 12)], ["jc"], kernel_shape=[1, 1]),
    helper.make_node("Relu", ["jc"], ["head"]),
    helper.make_node("Resize", ["head", "", const("scales", np.array([1, 1, 2, 2], np.float32))], ["up"],
                     mode="linear", coordinate_transformation_mode="align_corners"),
    helper.make_node("Conv", ["up", w("hw", 2, 12, 1, 1), w("hb", 2)], ["logits"], kernel_shape=[1, 1]),
    helper.make_node("Softmax", ["logits"], ["sm"], axis=1),
    helper.make_node("GlobalAveragePool", ["sm"], ["g"]),
    helper.make_node("Mul", ["sm", "g"], ["m"]),
    helper.make_node("Sigmoid", ["m"], ["output"]),
]
graph = helper.make_graph(nodes, "onednn_seed", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 16, 16])],
                          [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 2, 16, 16])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])
