"""The four bundled architectures. Input: [n,1,28,28] float32 pixels/255 (no normalisation)."""
import torch.nn as nn


def lenet300():
    return nn.Sequential(
        nn.Flatten(1),
        nn.Linear(784, 300), nn.ReLU(),
        nn.Linear(300, 100), nn.ReLU(),
        nn.Linear(100, 10))


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2),      # 20x12x12
        nn.Conv2d(20, 50, 5), nn.ReLU(), nn.MaxPool2d(2),     # 50x4x4
        nn.Flatten(1),
        nn.Linear(800, 500), nn.ReLU(),
        nn.Linear(500, 10))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        s = x if self.shortcut is None else self.shortcut(x)
        return self.relu(y + s)


class ResNet(nn.Module):
    """stem 12 @28x28 -> block 12 @28 -> block 24 @14 (proj) -> block 48 @7 (proj) -> GAP -> fc."""

    def __init__(self, widths=(12, 24, 48)):
        super().__init__()
        w0, w1, w2 = widths
        self.stem = nn.Sequential(nn.Conv2d(1, w0, 3, 1, 1, bias=False), nn.BatchNorm2d(w0), nn.ReLU())
        self.blocks = nn.Sequential(BasicBlock(w0, w0, 1), BasicBlock(w0, w1, 2), BasicBlock(w1, w2, 2))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten(1)
        self.fc = nn.Linear(w2, 10)

    def forward(self, x):
        return self.fc(self.flatten(self.pool(self.blocks(self.stem(x)))))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hid = cin * expand
        self.use_res = stride == 1 and cin == cout
        self.block = nn.Sequential(
            nn.Conv2d(cin, hid, 1, bias=False), nn.BatchNorm2d(hid), nn.ReLU6(),
            nn.Conv2d(hid, hid, 3, stride, 1, groups=hid, bias=False), nn.BatchNorm2d(hid), nn.ReLU6(),
            nn.Conv2d(hid, cout, 1, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.block(x)
        return x + y if self.use_res else y


class MobileNet(nn.Module):
    """MobileNetV2-style: stem 16 s2 @14 -> IR blocks (t=4) 16@14 (res), 24@14, 24@14 (res), 32@7 (s2), 32@7 (res)
    -> 1x1 conv 128 -> GAP -> fc."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU6())
        cfg = [(16, 16, 1), (16, 24, 1), (24, 24, 1), (24, 32, 2), (32, 32, 1)]
        self.blocks = nn.Sequential(*[InvertedResidual(a, b, s, 4) for a, b, s in cfg])
        self.head = nn.Sequential(nn.Conv2d(32, 128, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU6())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten(1)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        return self.fc(self.flatten(self.pool(self.head(self.blocks(self.stem(x))))))


BUILDERS = {"lenet300": lenet300, "lenet5": lenet5, "resnet": ResNet, "mobilenet": MobileNet}
