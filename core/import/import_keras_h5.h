#pragma once
// Loads a tf.keras HDF5 file's layer weights into our module, layer by layer (nets.md §1.1, §6.5, §6.6).
//
// Which Keras layer feeds which module: Slim-Net by SlimNetImpl::keras_layer_map(); Mobile-Unet by its module
// paths ('.' -> '_' gives the Keras MobileNetV2 layer name, e.g. block_13.expand_BN -> block_13_expand_BN), except
// the decoder and head, whose Keras names are generated per class (conv2d_transpose[_N], conv2d[_N],
// batch_normalization[_N]): those layers are taken in increasing N in the decoder's construction order.
// Layouts: Conv2D kernel (kh,kw,in,out) and Conv2DTranspose kernel (kh,kw,out,in) -> permute(3,2,0,1);
// depthwise kernels (kh,kw,C,1) -> permute(2,3,0,1); PReLU alpha (1,1,C) -> (C); BatchNormalization
// gamma/beta/moving_mean/moving_variance -> weight/bias/running_mean/running_var.
#include <string>

#include "core/model_io/weight_copy.h"
#include "nets/segnet.h"

namespace pseg {

// Throws std::runtime_error naming the file when it cannot be read as a Keras HDF5 file, std::invalid_argument
// naming the layer (and weight) when the file does not fit the net: a layer missing from the file, a layer the net
// does not have, a missing or unexpected weight, a shape mismatch, or a net without Keras layer names.
ImportStats import_keras_h5_weights(const std::string& path, SegNetImpl& net);

}  // namespace pseg
