// The KV cache, measured here: 256 tokens of the same seeded generation with and without the cache, both speeds
// and their ratio (and whether the two texts agree: they must while everything fits the context).
const $ = (id) => document.getElementById(id);

export function kvCachePanel(worker, state) {
  $('kv-run').onclick = () => {
    $('kv-run').disabled = true;
    $('kv-result').textContent = 'measuring…';
    worker.send({ type: 'measure-cache', model: $('gen-model').value, prompt: $('gen-prompt').value, tokens: 256,
                  temperature: Number($('gen-temperature').value), topK: Number($('gen-topk').value),
                  seed: Number($('gen-seed').value) });
  };
  worker.on('cache-speed', (r) => {
    state.cacheSpeed = r;
    $('kv-run').disabled = false;
    $('kv-result').textContent = `with the cache ${r.cached.tokensPerSec.toFixed(1)} tokens/s, without ` +
      `${r.uncached.tokensPerSec.toFixed(1)} tokens/s: ${r.ratio.toFixed(1)}× faster` +
      (r.cached.text === r.uncached.text ? ', the same text' : ' (texts differ past the context length)');
  });
  worker.on('error', (e) => { if (e.for === 'measure-cache') $('kv-run').disabled = false; });
}
