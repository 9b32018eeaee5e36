// The page's "Load the weights in PyTorch" help: a self-contained Python script (torch only; the safetensors file
// is read by hand, 20 lines, so no extra package is needed). tests/web/milestone-cnn-training.test.mjs runs this
// very text with the system's python3-torch when it is installed.
export function pytorchScript(stem) {
  return `# python3 load_${stem.replace(/\W/g, '_')}.py   (needs torch; images: uint8 [N, C, H, W])
import json, struct, torch, torch.nn as nn

def load_safetensors(path):
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, t in header.items():
        if name == '__metadata__':
            continue
        begin, end = t['data_offsets']
        out[name] = torch.frombuffer(bytearray(raw[8 + n + begin:8 + n + end]), dtype=torch.float32).reshape(t['shape'])
    return out

def layer(token):  # the architecture grammar of the card (engine/models/classifier.h)
    kind, *a = token.split(':')
    if kind == 'conv': return nn.Conv2d(int(a[0]), int(a[1]), int(a[2]), padding=int(a[3]))
    if kind == 'linear': return nn.Linear(int(a[0]), int(a[1]))
    if kind == 'maxpool': return nn.MaxPool2d(int(a[0]))
    if kind == 'avgpool': return nn.AvgPool2d(int(a[0]))
    if kind == 'bn': return nn.BatchNorm2d(int(a[0]))
    if kind == 'dropout': return nn.Dropout(float(a[0]))
    return {'relu': nn.ReLU(), 'tanh': nn.Tanh(), 'flatten': nn.Flatten()}[kind]

card = json.load(open('${stem}.json'))
model = nn.Sequential(*[layer(t) for t in card['architecture'].split()])
model.load_state_dict(load_safetensors('${stem}.safetensors'))
model.eval()
mean = torch.tensor(card['normalization']['mean']).view(1, -1, 1, 1)
std = torch.tensor(card['normalization']['std']).view(1, -1, 1, 1)

def predict(images):  # uint8 [N, C, H, W] -> class indices [N]
    with torch.no_grad():
        return model((images.float() / 255 - mean) / std).argmax(1)
`;
}
