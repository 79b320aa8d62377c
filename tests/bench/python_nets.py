#!/usr/bin/python3
"""The four portraitseg architectures in plain PyTorch eager, as the Python side of the speed comparison.

Faithful to the framework's nets spec (nets.md) and to nets/*.cpp: TF-same stride-2 padding, transposed-conv crop,
legacy and align-corners bilinear resizes, BN constants, PReLU alpha 0. Nets return raw logits; PortraitNet with a
boundary head returns (mask_logits, edge_logits).

    /usr/bin/python3 tests/bench/python_nets.py --check     # exact parameter counts and output shapes
"""
import argparse
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


# --- shared conventions (nets.md §1) ------------------------------------------------------------------------------

def tf_same_pad_stride2(x):
    # TF padding='same', k=3, s=2, even input: one row/column at the bottom/right only.
    return F.pad(x, (0, 1, 0, 1))


def tf_deconv_crop(y):
    # TF Conv2DTranspose(k=3, s=2, 'same') = full transposed conv (2H+1) minus the last row and column.
    return y[:, :, :-1, :-1]


def legacy_bilinear_up2(x):
    # TF1 legacy bilinear 2x (align_corners=False, half_pixel_centers=False): out[2k] = in[k],
    # out[2k+1] = (in[k] + in[k+1]) / 2, last sample clamped.
    pw = F.pad(x, (0, 1, 0, 0), mode="replicate")
    left = pw[..., :-1]
    xw = torch.stack((left, (left + pw[..., 1:]) * 0.5), -1).flatten(-2)
    ph = F.pad(xw, (0, 0, 0, 1), mode="replicate")
    top = ph[:, :, :-1]
    return torch.stack((top, (top + ph[:, :, 1:]) * 0.5), 3).flatten(2, 3)


def align_corners_up2(x):
    return F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=True)


class SeparableConv2d(nn.Module):
    """Keras SeparableConv2D: depthwise k x k (no bias) then pointwise 1x1 (bias), nothing between."""

    def __init__(self, cin, cout, k, dilation=1):
        super().__init__()
        pad = dilation * (k - 1) // 2
        self.depthwise = nn.Conv2d(cin, cin, k, padding=pad, dilation=dilation, groups=cin, bias=False)
        self.pointwise = nn.Conv2d(cin, cout, 1)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))


def glorot_init(module):
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def he_normal_truncated_(w):
    fan_in = w.shape[1] * w.shape[2] * w.shape[3]
    sigma = math.sqrt(2.0 / fan_in)
    nn.init.trunc_normal_(w, 0.0, sigma, -2 * sigma, 2 * sigma)


# --- Mobile-Unet (nets.md §2) ------------------------------------------------------------------------------------

def keras_mnv2_bn(c):
    return nn.BatchNorm2d(c, eps=1e-3, momentum=0.001)


class InvertedResidual(nn.Module):
    """Keras/TF-slim MobileNet block; forward returns (output, expanded tensor feeding the depthwise conv).

    `expansion` multiplies the input channels (1 = no expansion conv) unless `mid` gives the expanded width;
    `dilation` makes the depthwise conv atrous; `relu6=False` is MobileNetV3-minimalistic's ReLU; `odd_size_padding`
    pads one on every side for stride 2 (TF 'same' on odd sizes) instead of bottom/right.
    """

    def __init__(self, cin, cout, stride, expansion=1, mid=None, dilation=1, relu6=True, odd_size_padding=False):
        super().__init__()
        expand = mid is not None or expansion != 1
        mid = mid if mid is not None else cin * expansion
        self.stride = stride
        self.residual = stride == 1 and cin == cout
        self.act = F.relu6 if relu6 else F.relu
        self.pad_here = stride == 2 and not odd_size_padding
        self.expand = nn.Conv2d(cin, mid, 1, bias=False) if expand else None
        self.expand_BN = keras_mnv2_bn(mid) if expand else None
        pad = dilation if stride == 1 else (1 if odd_size_padding else 0)
        self.depthwise = nn.Conv2d(mid, mid, 3, stride=stride, padding=pad, dilation=dilation, groups=mid, bias=False)
        self.depthwise_BN = keras_mnv2_bn(mid)
        self.project = nn.Conv2d(mid, cout, 1, bias=False)
        self.project_BN = keras_mnv2_bn(cout)

    def forward(self, x):
        e = self.act(self.expand_BN(self.expand(x))) if self.expand is not None else x
        y = self.act(self.depthwise_BN(self.depthwise(tf_same_pad_stride2(e) if self.pad_here else e)))
        y = self.project_BN(self.project(y))
        return (x + y if self.residual else y), e


class MobileUnetUp(nn.Module):
    def __init__(self, cin, cout, decoder, dropout):
        super().__init__()
        self.deconv = nn.ConvTranspose2d(cin, cout, 3, stride=2) if decoder == "deconv" else None
        self.conv = nn.Conv2d(cin, cout, 3, padding=1) if decoder == "bilinear" else None
        self.bn = nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01)
        self.dropout = nn.Dropout(0.5) if dropout else nn.Identity()

    def forward(self, x):
        y = tf_deconv_crop(self.deconv(x)) if self.deconv is not None else self.conv(legacy_bilinear_up2(x))
        return F.relu(self.dropout(self.bn(y)))


MOBILE_UNET_BLOCKS = [  # (in, out, stride, expansion): MobileNetV2 alpha 0.5 up to block_16
    (16, 8, 1, 1), (8, 16, 2, 6), (16, 16, 1, 6), (16, 16, 2, 6), (16, 16, 1, 6), (16, 16, 1, 6),
    (16, 32, 2, 6), (32, 32, 1, 6), (32, 32, 1, 6), (32, 32, 1, 6), (32, 48, 1, 6), (48, 48, 1, 6),
    (48, 48, 1, 6), (48, 80, 2, 6), (80, 80, 1, 6), (80, 80, 1, 6), (80, 160, 1, 6),
]


class MobileUnet(nn.Module):
    def __init__(self, decoder="deconv", in_channels=3):
        super().__init__()
        self.Conv1 = nn.Conv2d(in_channels, 16, 3, stride=2, bias=False)
        self.bn_Conv1 = keras_mnv2_bn(16)
        self.blocks = nn.ModuleList(InvertedResidual(*b) for b in MOBILE_UNET_BLOCKS)
        self.d1 = MobileUnetUp(160, 512, decoder, True)
        self.d2 = MobileUnetUp(512 + 288, 256, decoder, True)
        self.d3 = MobileUnetUp(256 + 96, 128, decoder, True)
        self.d4 = MobileUnetUp(128 + 96, 64, decoder, True)
        self.d5 = MobileUnetUp(64 + 48, 32, decoder, False)
        self.head = nn.ConvTranspose2d(32, 1, 1)
        glorot_init(self)
        with torch.no_grad():
            for up in (self.d1, self.d2, self.d3, self.d4, self.d5):
                he_normal_truncated_(up.deconv.weight if up.deconv is not None else up.conv.weight)

    def forward(self, x):
        y = F.relu6(self.bn_Conv1(self.Conv1(tf_same_pad_stride2(x))))
        skips = []
        for block in self.blocks:
            y, e = block(y)
            if block.stride == 2:  # skips: expansions feeding the stride-2 depthwise convs
                skips.append(e)
        y = self.d1(y)
        y = self.d2(torch.cat((y, skips[3]), 1))
        y = self.d3(torch.cat((y, skips[2]), 1))
        y = self.d4(torch.cat((y, skips[1]), 1))
        y = self.d5(torch.cat((y, skips[0]), 1))
        return self.head(y)


# --- Mobile-Unet v3 (nets_more.md §2) ----------------------------------------------------------------------------

class TransitionBlock(nn.Module):
    """T(i -> o): ReLU(main + shortcut); main = dw BN ReLU, 1x1 BN ReLU, dw BN ReLU, 1x1 BN; shortcut = 1x1 BN."""

    def __init__(self, cin, cout):
        super().__init__()
        bn = lambda c: nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)
        self.shortcut, self.shortcut_bn = nn.Conv2d(cin, cout, 1), bn(cout)
        self.dw1, self.bn1 = nn.Conv2d(cin, cin, 3, padding=1, groups=cin), bn(cin)
        self.pw1, self.bn2 = nn.Conv2d(cin, cout, 1), bn(cout)
        self.dw2, self.bn3 = nn.Conv2d(cout, cout, 3, padding=1, groups=cout), bn(cout)
        self.pw2, self.bn4 = nn.Conv2d(cout, cout, 1), bn(cout)

    def forward(self, x):
        s = self.shortcut_bn(self.shortcut(x))
        y = F.relu(self.bn1(self.dw1(x)))
        y = F.relu(self.bn2(self.pw1(y)))
        y = F.relu(self.bn3(self.dw2(y)))
        return F.relu(self.bn4(self.pw2(y)) + s)


MNV3_BLOCKS = [  # (in, mid, out, stride); mid None = no expansion. MobileNetV3-Small minimalistic, alpha 1.0
    (16, None, 16, 2), (16, 72, 24, 2), (24, 88, 24, 1), (24, 96, 40, 2), (40, 240, 40, 1), (40, 240, 40, 1),
    (40, 120, 48, 1), (48, 144, 48, 1), (48, 288, 96, 2), (96, 576, 96, 1), (96, 576, 96, 1),
]


class MobileUnetV3(nn.Module):
    def __init__(self):
        super().__init__()
        self.Conv = nn.Conv2d(3, 16, 3, stride=2, bias=False)
        self.Conv_BatchNorm = keras_mnv2_bn(16)
        self.blocks = nn.ModuleList(InvertedResidual(i, o, s, mid=m, relu6=False) for i, m, o, s in MNV3_BLOCKS)
        self.Conv_1 = nn.Conv2d(96, 576, 1, bias=False)
        self.Conv_1_BatchNorm = keras_mnv2_bn(576)
        self.t1, self.t2, self.t3, self.t4 = (TransitionBlock(576, 288), TransitionBlock(288, 96),
                                              TransitionBlock(96, 72), TransitionBlock(72, 16))
        self.head = nn.Conv2d(16, 2, 1)
        glorot_init(self)

    def forward(self, x):
        up = lambda t: F.interpolate(t, scale_factor=2.0, mode="bilinear", align_corners=False)
        y = F.relu(self.Conv_BatchNorm(self.Conv(tf_same_pad_stride2(x))))
        skips = []
        for block in self.blocks:
            y, e = block(y)
            if block.stride == 2 and block.expand is not None:
                skips.append(e)
        y = self.Conv_1_BatchNorm(self.Conv_1(y))
        y = up(self.t1(y)) + skips[2]
        y = up(self.t2(y)) + skips[1]
        y = up(self.t3(y)) + skips[0]
        return self.head(up(up(self.t4(y))))


# --- DeepLabV3, MobileNetV2 dm 0.5, output stride 8 (nets_more.md §1) ---------------------------------------------

DEEPLAB_BLOCKS = [  # (in, mid, out, stride, dilation); mid None = no expansion
    (16, None, 8, 1, 1), (8, 48, 12, 2, 1), (12, 72, 12, 1, 1), (12, 72, 16, 2, 1), (16, 96, 16, 1, 1),
    (16, 96, 16, 1, 1), (16, 96, 32, 1, 1), (32, 192, 32, 1, 2), (32, 192, 32, 1, 2), (32, 192, 32, 1, 2),
    (32, 192, 48, 1, 2), (48, 288, 48, 1, 2), (48, 288, 48, 1, 2), (48, 288, 80, 1, 2), (80, 480, 80, 1, 4),
    (80, 480, 80, 1, 4), (80, 480, 160, 1, 4),
]


class DeepLabV3(nn.Module):
    def __init__(self, upsample="align_corners"):
        super().__init__()
        head_bn = lambda c: nn.BatchNorm2d(c, eps=1.001e-5, momentum=0.003)
        self.upsample = upsample
        self.Conv = nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False)
        self.Conv_BatchNorm = keras_mnv2_bn(16)
        self.blocks = nn.ModuleList(InvertedResidual(i, o, s, mid=m, dilation=d, odd_size_padding=True)
                                    for i, m, o, s, d in DEEPLAB_BLOCKS)
        self.aspp0, self.aspp0_BatchNorm = nn.Conv2d(160, 256, 1, bias=False), head_bn(256)
        self.image_pooling, self.image_pooling_BatchNorm = nn.Conv2d(160, 256, 1, bias=False), head_bn(256)
        self.concat_projection = nn.Conv2d(512, 256, 1, bias=False)
        self.concat_projection_BatchNorm = head_bn(256)
        self.logits = nn.Conv2d(256, 2, 1)
        glorot_init(self)

    def forward(self, x):
        y = F.relu6(self.Conv_BatchNorm(self.Conv(x)))
        for block in self.blocks:
            y, _ = block(y)
        branch = F.relu(self.aspp0_BatchNorm(self.aspp0(y)))
        pooled = F.relu(self.image_pooling_BatchNorm(self.image_pooling(y.mean((2, 3), keepdim=True))))
        pooled = pooled.expand(-1, -1, y.shape[2], y.shape[3])
        y = self.logits(F.relu(self.concat_projection_BatchNorm(self.concat_projection(torch.cat((pooled, branch), 1)))))
        size = (x.shape[2], x.shape[3])
        if self.upsample == "align_corners":
            return F.interpolate(y, size=size, mode="bilinear", align_corners=True)
        # Opset-8 Upsample: source dst * h / H, edge clamped (an independent gather, not the C++ pad-and-crop).
        h, w = y.shape[2], y.shape[3]
        sy = torch.arange(size[0], dtype=torch.float64) * h / size[0]
        sx = torch.arange(size[1], dtype=torch.float64) * w / size[1]
        y0, x0 = sy.floor().long(), sx.floor().long()
        y1, x1 = (y0 + 1).clamp(max=h - 1), (x0 + 1).clamp(max=w - 1)
        fy, fx = (sy - y0).float().view(-1, 1), (sx - x0).float().view(1, -1)
        rows = y[:, :, y0] * (1 - fy) + y[:, :, y1] * fy
        return rows[..., x0] * (1 - fx) + rows[..., x1] * fx


# --- Prisma-Net (nets.md §3) -------------------------------------------------------------------------------------

class PrismaResidual(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.sep1 = SeparableConv2d(n, n, 3)
        self.sep2 = SeparableConv2d(n, n, 3)

    def forward(self, x):
        return x + self.sep2(F.relu(self.sep1(F.relu(x))))


def prisma_stack(n, count):
    return nn.Sequential(*[PrismaResidual(n) for _ in range(count)])


class PrismaNet(nn.Module):
    def __init__(self, in_channels=3):
        super().__init__()
        self.e0 = nn.Conv2d(in_channels, 8, 3, padding=1)
        self.res1 = PrismaResidual(8)
        self.e1 = nn.Conv2d(8, 32, 3, stride=2)
        self.res2 = PrismaResidual(32)
        self.e2 = nn.Conv2d(32, 64, 3, stride=2)
        self.res3 = PrismaResidual(64)
        self.e3 = nn.Conv2d(64, 128, 3, stride=2)
        self.res4 = prisma_stack(128, 2)
        self.e4 = nn.Conv2d(128, 128, 3, stride=2)
        self.mid = prisma_stack(128, 6)
        self.u1 = nn.ConvTranspose2d(128, 128, 3, stride=2)
        self.d1 = prisma_stack(128, 3)
        self.u2 = nn.ConvTranspose2d(128, 64, 3, stride=2)
        self.d2 = prisma_stack(64, 3)
        self.u3 = nn.ConvTranspose2d(64, 32, 3, stride=2)
        self.d3 = prisma_stack(32, 3)
        self.u4 = nn.ConvTranspose2d(32, 8, 3, stride=2)
        self.d4 = prisma_stack(8, 3)
        self.head = nn.ConvTranspose2d(8, 1, 1)
        glorot_init(self)

    def forward(self, x):
        s1 = self.res1(self.e0(x))
        s2 = self.res2(self.e1(tf_same_pad_stride2(s1)))
        s3 = self.res3(self.e2(tf_same_pad_stride2(s2)))
        s4 = self.res4(self.e3(tf_same_pad_stride2(s3)))
        y = self.mid(self.e4(tf_same_pad_stride2(s4)))
        y = self.d1(tf_deconv_crop(self.u1(y)) + s4)
        y = self.d2(tf_deconv_crop(self.u2(y)) + s3)
        y = self.d3(tf_deconv_crop(self.u3(y)) + s2)
        y = self.d4(tf_deconv_crop(self.u4(y)) + s1)
        return self.head(y)


# --- PortraitNet (nets.md §4, §5) --------------------------------------------------------------------------------

def pn_bn(c):
    return nn.BatchNorm2d(c, eps=1e-5, momentum=0.1)


def pn_conv(cin, cout, k, stride=1, groups=1):
    return nn.Conv2d(cin, cout, k, stride=stride, padding=(k - 1) // 2, groups=groups, bias=False)


class PortraitInvertedResidual(nn.Module):
    """The reference keeps the 1x1 expansion even for t = 1."""

    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        self.use_residual = stride == 1 and cin == cout
        self.conv = nn.Sequential(
            pn_conv(cin, hidden, 1), pn_bn(hidden), nn.ReLU(inplace=True),
            pn_conv(hidden, hidden, 3, stride, hidden), pn_bn(hidden), nn.ReLU(inplace=True),
            pn_conv(hidden, cout, 1), pn_bn(cout))

    def forward(self, x):
        return x + self.conv(x) if self.use_residual else self.conv(x)


class PortraitResidualBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        conv_dw = nn.Sequential(pn_conv(cin, cin, 3, 1, cin), pn_bn(cin), nn.ReLU(inplace=True),
                                pn_conv(cin, cout, 1), pn_bn(cout), nn.ReLU(inplace=True))
        self.block = nn.Sequential(conv_dw, pn_conv(cout, cout, 3, 1, cout), pn_bn(cout), nn.ReLU(inplace=True),
                                   pn_conv(cout, cout, 1), pn_bn(cout))
        self.residual = nn.Sequential(pn_conv(cin, cout, 1), pn_bn(cout)) if cin != cout else None

    def forward(self, x):
        shortcut = self.residual(x) if self.residual is not None else x
        return F.relu(self.block(x) + shortcut)


def pn_ir_stack(cin, cout, stride, count):
    return nn.Sequential(PortraitInvertedResidual(cin, cout, stride, 6),
                         *[PortraitInvertedResidual(cout, cout, 1, 6) for _ in range(count - 1)])


def pn_deconv(c):
    return nn.ConvTranspose2d(c, c, 4, stride=2, padding=1, bias=False)


class PortraitNet(nn.Module):
    def __init__(self, in_channels=3, boundary_head=False):
        super().__init__()
        self.stage0 = nn.Sequential(pn_conv(in_channels, 32, 3, 2), pn_bn(32), nn.ReLU(inplace=True))
        self.stage1 = PortraitInvertedResidual(32, 16, 1, 1)
        self.stage2 = pn_ir_stack(16, 24, 2, 2)
        self.stage3 = pn_ir_stack(24, 32, 2, 3)
        self.stage4 = pn_ir_stack(32, 64, 2, 4)
        self.stage5 = pn_ir_stack(64, 96, 1, 3)
        self.stage6 = pn_ir_stack(96, 160, 2, 3)
        self.stage7 = PortraitInvertedResidual(160, 320, 1, 6)
        self.transit1 = PortraitResidualBlock(320, 96)
        self.transit2 = PortraitResidualBlock(96, 32)
        self.transit3 = PortraitResidualBlock(32, 24)
        self.transit4 = PortraitResidualBlock(24, 16)
        self.transit5 = PortraitResidualBlock(16, 8)
        self.deconv1 = pn_deconv(96)
        self.deconv2 = pn_deconv(32)
        self.deconv3 = pn_deconv(24)
        self.deconv4 = pn_deconv(16)
        self.deconv5 = pn_deconv(8)
        self.pred = pn_conv(8, 2, 3)
        self.edge = pn_conv(8, 2, 3) if boundary_head else None
        self._init_weights()

    def _init_weights(self):
        # Reference _initialize_weights: kaiming fan_in convs, BN 1/0, bilinear kernel broadcast into every deconv pair.
        profile = torch.tensor([0.25, 0.75, 0.75, 0.25])
        with torch.no_grad():
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
                elif isinstance(m, nn.ConvTranspose2d):
                    m.weight.copy_(torch.outer(profile, profile).expand_as(m.weight))
                elif isinstance(m, nn.BatchNorm2d):
                    m.weight.fill_(1)
                    m.bias.zero_()

    def forward(self, x):
        f4 = self.stage2(self.stage1(self.stage0(x)))
        f8 = self.stage3(f4)
        f16 = self.stage5(self.stage4(f8))
        f32 = self.stage7(self.stage6(f16))
        up16 = self.deconv1(self.transit1(f32))
        up8 = self.deconv2(self.transit2(f16 + up16))
        up4 = self.deconv3(self.transit3(f8 + up8))
        up2 = self.deconv4(self.transit4(f4 + up4))
        up1 = self.deconv5(self.transit5(up2))  # no skip at 1/2
        if self.edge is None:
            return self.pred(up1)
        return self.pred(up1), self.edge(up1)


# --- Slim-Net (nets.md §6) ---------------------------------------------------------------------------------------

def prelu(c):
    return nn.PReLU(c, init=0.0)  # Keras PReLU alpha initialiser is zeros


class SlimEncoder(nn.Module):
    def __init__(self, cin, proj, out, kind, dilation=1, stride=1, pool=False, preluop=False):
        super().__init__()
        self.kind, self.pool, self.preluop = kind, pool, preluop
        self.pa = prelu(cin)
        self.proj = nn.Conv2d(cin, proj, stride, stride=stride)  # kernel = stride
        self.pp = prelu(proj)
        width = proj
        if kind == "DW":
            self.sep = SeparableConv2d(proj, proj, 3)
            self.ps = prelu(proj)
            self.dw = nn.Conv2d(proj, proj, 3, padding=1, groups=proj)
        elif kind == "S5":
            self.sep = SeparableConv2d(proj, proj, 5)
        else:
            self.dil = nn.Conv2d(proj, out, 3, padding=dilation, dilation=dilation)
            width = out
        self.pm = prelu(width)
        self.out = nn.Conv2d(width, out, 1)
        self.sc = nn.Conv2d(cin, out, 1) if pool and cin != 128 else None

    def forward(self, x):
        xa = self.pa(x)  # residual and skips use the PReLU'd input
        y = self.pp(self.proj(xa))
        if self.kind == "DW":
            y = self.dw(self.ps(self.sep(y)))
        elif self.kind == "S5":
            y = self.sep(y)
        else:
            y = self.dil(y)
        y = self.out(self.pm(y))
        if self.pool:
            m = F.max_pool2d(xa, 2, 2)
            return (self.sc(m) if self.sc is not None else m) + y, m
        return xa + y, (xa if self.preluop else None)


class SlimDecoder(nn.Module):
    def __init__(self, cin, res2, mid1, out, mid2):
        super().__init__()
        z_width = out + res2
        self.pa = prelu(cin)
        self.c1 = nn.Conv2d(cin, mid1, 1)
        self.p1 = prelu(mid1)
        self.up = nn.ConvTranspose2d(mid1, 8, 3, stride=2)  # always 8 filters in the reference
        self.p2 = prelu(8)
        self.c2 = nn.Conv2d(8, out, 1)
        self.cr = nn.Conv2d(cin, out, 1)
        self.pz = prelu(out)
        self.b1 = nn.Conv2d(z_width, mid2, 1)
        self.pb1 = prelu(mid2)
        self.b2 = nn.Conv2d(mid2, mid2, 3, padding=1)
        self.pb2 = prelu(mid2)
        self.b3 = nn.Conv2d(mid2, out, 1)
        self.zc = nn.Conv2d(z_width, out, 1) if res2 > 0 else None

    def forward(self, x, res1, res2=None):
        xa = self.pa(x)
        y = self.c2(self.p2(tf_deconv_crop(self.up(self.p1(self.c1(xa))))))
        r = align_corners_up2(self.cr(xa) + res1)  # add at low resolution, then 2x
        z = self.pz(r + y)
        if self.zc is not None:
            z = torch.cat((z, res2), 1)
        b = self.b3(self.pb2(self.b2(self.pb1(self.b1(z)))))
        if self.zc is not None:
            z = self.zc(z)
        return z + b


def slim_encoder_table():
    t = [dict(cin=32, proj=16, out=64, kind="DW", stride=2, pool=True),
         dict(cin=64, proj=16, out=64, kind="DW", preluop=True),
         dict(cin=64, proj=16, out=64, kind="DW"),
         dict(cin=64, proj=32, out=128, kind="DW", stride=2, pool=True),
         dict(cin=128, proj=16, out=128, kind="DW", preluop=True)]
    t += [dict(cin=128, proj=16, out=128, kind="DW") for _ in range(3)]
    t.append(dict(cin=128, proj=16, out=128, kind="DW", stride=2, pool=True))
    dilated = [("DW", 1), ("DIL", 2), ("S5", 1), ("DIL", 4), ("DW", 1), ("DIL", 8),
               ("DW", 1), ("DIL", 2), ("S5", 1), ("DIL", 4), ("DW", 1), ("DIL", 8)]
    t += [dict(cin=128, proj=8, out=128, kind=k, dilation=d) for k, d in dilated]
    t.append(dict(cin=128, proj=4, out=128, kind="DIL", dilation=1))
    return t


class SlimNet(nn.Module):
    def __init__(self, in_channels=3):
        super().__init__()
        self.s1 = nn.Conv2d(in_channels, 8, 2, stride=2)
        self.sp = prelu(8)
        self.s2 = nn.Conv2d(8, 32, 2, stride=2)
        self.encoders = nn.ModuleList(SlimEncoder(**p) for p in slim_encoder_table())
        self.d1 = SlimDecoder(128, 128, 8, 128, 8)
        self.d2 = SlimDecoder(128, 64, 8, 64, 4)
        self.d3 = SlimDecoder(64, 0, 4, 32, 4)
        self.hp = prelu(32)
        self.h1 = nn.ConvTranspose2d(32, 8, 2, stride=2)
        self.hp2 = prelu(8)
        self.h2 = nn.ConvTranspose2d(8, 2, 2, stride=2)
        glorot_init(self)

    def forward(self, x):
        y = self.s2(self.sp(self.s1(x)))
        skips = []  # r1 (b1), p1 (b2), r2 (b4), p2 (b5), r3 (b9)
        for enc in self.encoders:
            y, skip = enc(y)
            if skip is not None:
                skips.append(skip)
        y = self.d1(y, skips[4], skips[3])
        y = self.d2(y, skips[2], skips[1])
        y = self.d3(y, skips[0])
        return self.h2(self.hp2(self.h1(self.hp(y))))


# --- variants, configs, self-check -------------------------------------------------------------------------------

# name -> (constructor, native (H, W), input channels, logit channels, boundary head)
VARIANTS = {
    "mobile_unet_deconv": (lambda: MobileUnet("deconv"), (128, 128), 3, 1, False),
    "mobile_unet_bilinear": (lambda: MobileUnet("bilinear"), (128, 128), 3, 1, False),
    "prisma_net": (PrismaNet, (256, 256), 3, 1, False),
    "portrait_net": (lambda: PortraitNet(3, False), (224, 224), 3, 2, False),
    "portrait_net_boundary": (lambda: PortraitNet(3, True), (224, 224), 3, 2, True),
    "portrait_net_video": (lambda: PortraitNet(4, False), (224, 224), 4, 2, False),
    "portrait_net_video_boundary": (lambda: PortraitNet(4, True), (224, 224), 4, 2, True),
    "slim_net": (SlimNet, (512, 512), 3, 2, False),
    "mobile_unet_v3": (MobileUnetV3, (256, 256), 3, 2, False),
    "deeplab_v3": (DeepLabV3, (513, 513), 3, 2, False),
}

EXPECTED_PARAMETERS = {
    "mobile_unet_deconv": 3_630_593,
    "mobile_unet_bilinear": 3_630_593,
    "prisma_net": 923_057,
    "portrait_net": 2_080_760,
    "portrait_net_boundary": 2_080_904,
    "portrait_net_video": 2_081_048,
    "portrait_net_video_boundary": 2_081_192,
    "slim_net": 347_570,
    "mobile_unet_v3": 952_018,
    "deeplab_v3": 692_130,
}

EXPECTED_BN_BUFFERS = {  # running_mean + running_var elements
    "mobile_unet_deconv": 17_968, "mobile_unet_bilinear": 17_968, "prisma_net": 0, "portrait_net": 34_000,
    "portrait_net_boundary": 34_000, "portrait_net_video": 34_000, "portrait_net_video_boundary": 34_000,
    "slim_net": 0, "mobile_unet_v3": 17_952, "deeplab_v3": 17_312,
}


def build(variant):
    return VARIANTS[variant][0]()


def native_size(variant):
    return VARIANTS[variant][1]


def input_channels(variant):
    return VARIANTS[variant][2]


def logit_channels(variant):
    return VARIANTS[variant][3]


def has_boundary_head(variant):
    return VARIANTS[variant][4]


def net_name(variant):
    """The portraitseg `model.net` a variant belongs to."""
    return next(n for n in ("mobile_unet_v3", "deeplab_v3", "mobile_unet", "prisma_net", "portrait_net", "slim_net")
                if variant.startswith(n))


def default_configs(config_dir):
    """Every config in config_dir except the demo, sorted."""
    return [os.path.join(config_dir, f) for f in sorted(os.listdir(config_dir))
            if f.endswith(".json") and f != "demo.json"]


def inference_variant(variant):
    """Exports drop the training-only boundary head."""
    return variant.replace("_boundary", "")


def param_count(model):
    return sum(p.numel() for p in model.parameters())


def bn_buffer_count(model):
    return sum(b.numel() for name, b in model.named_buffers() if name.endswith(("running_mean", "running_var")))


def apply_override(cfg, assignment):
    """portraitseg's `--set key.path=VALUE`: VALUE is JSON when it parses, a string otherwise."""
    key, sep, text = assignment.partition("=")
    if not sep or not key:
        raise ValueError(f"--set {assignment!r}: expected key.path=VALUE")
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = text
    node = cfg
    parts = key.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def spec_from_config(path, overrides=()):
    """What a portraitseg JSON config asks for, as far as timing goes.

    `overrides` are `key.path=VALUE` strings, as portraitseg's --set. Returns {"config", "variant", "size", "loss",
    "adam_eps", "weight_decay"}; loss is "bce", "ce" or "portraitnet" with its "boundary"/"consistency" flags
    (docs/configs.md defaults).
    """
    with open(path) as f:
        cfg = json.load(f)
    for assignment in overrides:
        apply_override(cfg, assignment)
    model = cfg.get("model", {})
    net = model["net"]
    if net == "deeplab_v3" and model.get("upsample", "align_corners") != "align_corners":
        raise ValueError(f"{path}: the Python DeepLabV3 variant table has the default upsampling only")
    if net == "mobile_unet":
        variant = "mobile_unet_" + model.get("decoder", "deconv")
    elif net == "portrait_net":
        variant = "portrait_net_video" if model.get("in_channels", 3) == 4 else "portrait_net"
        if model.get("boundary_head", False):
            variant += "_boundary"
    elif net in ("prisma_net", "slim_net", "mobile_unet_v3", "deeplab_v3"):
        variant = net
    else:
        raise ValueError(f"{path}: model.net {net!r} has no Python counterpart")
    size = tuple(model.get("input_size", native_size(variant)))
    loss = dict(cfg.get("loss", {}))
    optim = cfg.get("optim", {})
    eps = {"keras": 1e-7, "torch": 1e-8}.get(optim.get("adam_eps"), optim.get("eps", 1e-8))
    return {
        "config": os.path.splitext(os.path.basename(path))[0],
        "variant": variant,
        "size": size,
        "loss": {
            "recipe": loss.get("recipe", "bce"),
            "boundary": bool(loss.get("boundary", False)),
            "consistency": bool(loss.get("consistency", False)),
            "boundary_weight": float(loss.get("boundary_weight", 0.1)),
            "kl_weight": float(loss.get("kl_weight", 2.0)),
            "kl_temperature": float(loss.get("kl_temperature", 1.0)),
            "focal_gamma": float(loss.get("focal_gamma", 2.0)),
        },
        "adam_eps": eps,
        "weight_decay": float(optim.get("weight_decay", 0.0)),
    }


def parse_size(text):
    """'HxW' or 'S' -> (H, W)."""
    parts = text.lower().split("x")
    if len(parts) not in (1, 2) or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise ValueError(f"size {text!r}: expected S or HxW")
    return (int(parts[0]), int(parts[-1]))


def check():
    failures = 0
    with torch.no_grad():
        for variant, expected in EXPECTED_PARAMETERS.items():
            model = build(variant).eval()
            n = param_count(model)
            nb = bn_buffer_count(model)
            h, w = native_size(variant)
            out = model(torch.rand(1, input_channels(variant), h, w))
            outs = out if isinstance(out, tuple) else (out,)
            want_shape = (1, logit_channels(variant), h, w)
            ok_shapes = all(tuple(o.shape) == want_shape for o in outs) and len(outs) == (
                2 if has_boundary_head(variant) else 1)
            ok = n == expected and nb == EXPECTED_BN_BUFFERS[variant] and ok_shapes
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {variant:28s} parameters {n:>9,} (expected {expected:,}), "
                  f"BN buffers {nb:,} (expected {EXPECTED_BN_BUFFERS[variant]:,}), "
                  f"output {' + '.join(str(tuple(o.shape)) for o in outs)}")
    # Convention micro-check (nets.md §7.3): legacy resize of [0,1,2,3].
    got = legacy_bilinear_up2(torch.arange(4.0).view(1, 1, 1, 4).expand(1, 1, 4, 4).contiguous())[0, 0, 0].tolist()
    ok = got == [0, 0.5, 1, 1.5, 2, 2.5, 3, 3]
    failures += not ok
    print(f"{'ok  ' if ok else 'FAIL'} legacy bilinear [0,1,2,3] -> {got}")
    return failures


def load_from_torchscript(model, ts_path):
    """Copies the weights of a portraitseg TorchScript export into `model`, matching by order and shape.

    The export flattens names (`a.b.c` -> `a_b_c`) and lists parameters before BN running statistics; the Python
    modules register their parameters in the same order as nets/*.cpp, so order plus an exact shape check is a strict
    structural comparison.
    """
    ts = {k: v for k, v in torch.jit.load(ts_path).state_dict().items() if not k.endswith("num_batches_tracked")}
    ts_params = [(k, v) for k, v in ts.items() if "running_" not in k]
    ts_stats = [(k, v) for k, v in ts.items() if "running_" in k]
    py_params = list(model.named_parameters())
    py_stats = [(k, b) for k, b in model.named_buffers() if "running_" in k]
    if len(ts_params) != len(py_params) or len(ts_stats) != len(py_stats):
        raise ValueError(f"{ts_path}: {len(ts_params)} parameters / {len(ts_stats)} BN statistics, Python model has "
                         f"{len(py_params)} / {len(py_stats)}")
    with torch.no_grad():
        for (tk, tv), (pk, pv) in zip(ts_params + ts_stats, py_params + py_stats):
            if tuple(tv.shape) != tuple(pv.shape):
                raise ValueError(f"{ts_path}: {tk} {tuple(tv.shape)} vs Python {pk} {tuple(pv.shape)}")
            pv.copy_(tv)


def parity(portraitseg, config_dir, work_dir):
    """Exports each config with portraitseg (TorchScript, logits head) and compares it with the Python net."""
    import subprocess

    failures = 0
    for path in default_configs(config_dir):
        spec = spec_from_config(path)
        variant = inference_variant(spec["variant"])
        ts_path = os.path.join(work_dir, spec["config"] + ".pt")
        subprocess.run([portraitseg, "export", "--config", path, "--format", "torchscript",
                        "--head", "logits", "--no-verify", "--quiet", "--threads", "2", "--out", ts_path],
                       check=True, stdout=subprocess.DEVNULL)
        model = build(variant).eval()
        load_from_torchscript(model, ts_path)
        h, w = spec["size"]
        x = torch.rand(2, input_channels(variant), h, w, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            want = torch.jit.load(ts_path)(x)
            got = model(x)
        rel = ((got - want).abs().max() / want.abs().max().clamp_min(1e-12)).item()
        ok = tuple(got.shape) == tuple(want.shape) and rel < 1e-4
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {spec['config']:22s} {variant:20s} max |diff| / max |logit| = {rel:.2e}")
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="assert exact parameter counts and native output shapes")
    ap.add_argument("--parity", metavar="PORTRAITSEG",
                    help="also export every config with this portraitseg binary and compare outputs with the Python nets")
    ap.add_argument("--configs", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "configs"),
                    help="config folder for --parity (default: the repository's configs/)")
    args = ap.parse_args()
    if not args.check and not args.parity:
        ap.print_help()
        return 0
    torch.manual_seed(0)
    torch.set_num_threads(2)
    failures = check() if args.check else 0
    if args.parity:
        import tempfile
        with tempfile.TemporaryDirectory(prefix="pseg_parity_") as work_dir:
            failures += parity(args.parity, args.configs, work_dir)
    print("all checks passed" if failures == 0 else f"{failures} check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
