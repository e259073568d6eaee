// openai.test.js -- POST /v1/audio/speech and GET /v1/models driven by the official `openai` npm
// package, its base URL pointed at a `lyssna serve` of the test's own: audio streamed to a file,
// every response_format decoded back with ffmpeg, speed, SSE, keys, and errors surfaced as the
// package's own error classes.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { Readable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const OpenAI = require('openai');
const { startService, tempDir } = require('../browser/service');

const TEXT = 'Välkommen till kommunen. Biblioteket har öppet i dag från klockan tio.';
const KEY = 'test-key-0123456789abcdef';

// Seconds of audio in file, decoded by ffmpeg (raw pcm told its rate: it has no header).
function seconds(file, format) {
  const input = format === 'pcm' ? ['-f', 's16le', '-ar', '24000', '-ac', '1'] : [];
  const pcm = execFileSync('ffmpeg', ['-v', 'error', ...input, '-i', file, '-f', 's16le',
    '-ac', '1', '-ar', '16000', '-'], { maxBuffer: 1 << 28 });
  return pcm.length / 2 / 16000;
}

// The service of the browser tests, its text cap at 4,000 bytes so that the tests can pass it
// cheaply.
function serve(args = []) {
  return startService({ args: ['--max-text-bytes', '4000', ...args] });
}

function client(svc, apiKey = 'unused') {
  return new OpenAI({ baseURL: `${svc.url}/v1`, apiKey, maxRetries: 0 });
}

async function saveTo(response, file) {
  await pipeline(Readable.fromWeb(response.body), fs.createWriteStream(file));
}

let svc;
let dir;
test.before(async () => {
  dir = tempDir('openai');
  svc = await serve();
});
test.after(async () => {
  await svc.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('speech streams to a file as MP3 by default', async () => {
  const res = await client(svc).audio.speech.create({ model: 'tts-1', voice: 'alloy', input: TEXT });
  assert.strictEqual(res.headers.get('content-type'), 'audio/mpeg');
  const file = path.join(dir, 'default.mp3');
  await saveTo(res, file);
  const s = seconds(file, 'mp3');
  assert.ok(s > 3 && s < 10, `${s} s of audio`);
});

test('every response_format decodes back to the same speech', async () => {
  const formats = ['mp3', 'opus', 'wav', 'flac', 'pcm'];
  const lengths = {};
  for (const format of formats) {
    const res = await client(svc).audio.speech.create({
      model: 'gpt-4o-mini-tts', voice: 'sv', input: TEXT, response_format: format,
    });
    const file = path.join(dir, `all.${format}`);
    await saveTo(res, file);
    lengths[format] = seconds(file, format);
  }
  for (const format of formats)
    assert.ok(Math.abs(lengths[format] - lengths.wav) < 0.03 * lengths.wav + 0.08,
      `${format}: ${lengths[format]} s against wav's ${lengths.wav} s`);
  const head = fs.readFileSync(path.join(dir, 'all.pcm')).subarray(0, 4).toString('latin1');
  assert.notStrictEqual(head, 'RIFF', 'pcm has no header');
});

test('speed makes the speech faster and the effective rate is in a header', async () => {
  const api = client(svc);
  const normal = await api.audio.speech.create({ model: 'tts-1', voice: 'nova', input: TEXT,
    response_format: 'wav' }).asResponse();
  const fast = await api.audio.speech.create({ model: 'tts-1', voice: 'nova', input: TEXT,
    response_format: 'wav', speed: 2.0 }).asResponse();
  const rate1 = Number(normal.headers.get('x-lyssna-rate'));
  const rate2 = Number(fast.headers.get('x-lyssna-rate'));
  assert.strictEqual(rate2, 2 * rate1);
  await saveTo(normal, path.join(dir, 'normal.wav'));
  await saveTo(fast, path.join(dir, 'fast.wav'));
  const ratio = seconds(path.join(dir, 'fast.wav')) / seconds(path.join(dir, 'normal.wav'));
  assert.ok(ratio > 0.4 && ratio < 0.75, `fast/normal ${ratio}`);
  const slowest = await api.audio.speech.create({ model: 'tts-1', voice: 'nova', input: 'Hej.',
    speed: 0.25 }).asResponse();
  assert.strictEqual(slowest.headers.get('x-lyssna-rate'), '80', 'clamped to what espeak-ng speaks');
  await slowest.arrayBuffer();
});

test('stream_format sse gives speech.audio.delta events and speech.audio.done', async () => {
  const res = await client(svc).audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'coral',
    input: TEXT, response_format: 'mp3', stream_format: 'sse' });
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const text = await res.text();
  const events = text.split('\n\n').filter((b) => b.startsWith('data: '))
    .map((b) => JSON.parse(b.slice(6)));
  const deltas = events.filter((e) => e.type === 'speech.audio.delta');
  assert.ok(deltas.length > 0);
  assert.strictEqual(events[events.length - 1].type, 'speech.audio.done');
  assert.ok(events[events.length - 1].usage.input_tokens > 0);
  const file = path.join(dir, 'sse.mp3');
  fs.writeFileSync(file, Buffer.concat(deltas.map((e) => Buffer.from(e.audio, 'base64'))));
  const s = seconds(file, 'mp3');
  assert.ok(s > 3 && s < 10, `${s} s of audio`);
});

test('SSE audio is cached like the plain answer, and the plain one is the same audio',
  async () => {
    const input = `${TEXT} Ärende ${Date.now()}.`;
    const sse = await client(svc).audio.speech.create({ model: 'tts-1', voice: 'sv', input,
      stream_format: 'sse' });
    const audio = Buffer.concat((await sse.text()).split('\n\n')
      .filter((b) => b.startsWith('data: ')).map((b) => JSON.parse(b.slice(6)))
      .filter((e) => e.type === 'speech.audio.delta').map((e) => Buffer.from(e.audio, 'base64')));
    const plain = await client(svc).audio.speech.create({ model: 'tts-1', voice: 'sv', input })
      .asResponse();
    assert.ok(plain.headers.get('content-length'), 'the plain answer comes from the cache');
    assert.ok(Buffer.from(await plain.arrayBuffer()).equals(audio));
  });

test('models lists what model accepts', async () => {
  const ids = [];
  for await (const m of client(svc).models.list())
    ids.push(m.id);
  for (const id of ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts'])
    assert.ok(ids.includes(id), `${id} in ${ids}`);
});

test('an unsupported format is a BadRequestError naming the parameter', async () => {
  await assert.rejects(
    client(svc).audio.speech.create({ model: 'tts-1', voice: 'alloy', input: TEXT,
      response_format: 'aac' }),
    (err) => {
      assert.ok(err instanceof OpenAI.BadRequestError, err.constructor.name);
      assert.strictEqual(err.status, 400);
      assert.strictEqual(err.error.param, 'response_format');
      assert.strictEqual(err.error.type, 'invalid_request_error');
      assert.match(err.message, /aac/);
      return true;
    });
});

test('bad inputs get their own errors', async () => {
  const api = client(svc);
  const cases = [
    [{ model: 'tts-1', voice: 'alloy', input: '' }, 'input'],
    [{ model: 'tts-1', voice: 'nosuchvoice', input: TEXT }, 'voice'],
    [{ model: 'whisper-1', voice: 'alloy', input: TEXT }, 'model'],
    [{ model: 'tts-1', voice: 'alloy', input: TEXT, speed: 9 }, 'speed'],
    [{ model: 'tts-1', voice: 'alloy', input: TEXT, stream_format: 'x' }, 'stream_format'],
  ];
  for (const [body, param] of cases)
    await assert.rejects(api.audio.speech.create(body), (err) => {
      assert.ok(err instanceof OpenAI.BadRequestError, `${param}: ${err.constructor.name}`);
      assert.strictEqual(err.error.param, param);
      return true;
    });
  await assert.rejects(api.audio.speech.create({ model: 'tts-1', voice: 'alloy',
    input: 'x'.repeat(5000) }), (err) => err instanceof OpenAI.APIError && err.status === 413);
});

test('with keys required, a wrong key is an AuthenticationError and a right one speaks',
  async () => {
    const keys = path.join(dir, 'keys.ini');
    fs.writeFileSync(keys, `[cms]\nkey = ${KEY}\nmax_text_bytes = 100\n`);
    const guarded = await serve(['--keys-file', keys, '--require-keys', 'openai']);
    try {
      await assert.rejects(client(guarded, 'wrong-key-0123456789').audio.speech.create({
        model: 'tts-1', voice: 'alloy', input: 'Hej.' }),
      (err) => err instanceof OpenAI.AuthenticationError && err.status === 401);
      const res = await client(guarded, KEY).audio.speech.create({ model: 'tts-1', voice: 'alloy',
        input: 'Hej.' });
      assert.ok((await res.arrayBuffer()).byteLength > 1000);
      await assert.rejects(client(guarded, KEY).audio.speech.create({ model: 'tts-1',
        voice: 'alloy', input: 'x'.repeat(101) }), (err) => err.status === 413);
      const metrics = await (await fetch(`${guarded.url}/metrics`)).text();
      assert.match(metrics, /lyssna_key_requests_total\{key="cms"\} [1-9]/);
      assert.ok(!metrics.includes(KEY), 'the key itself is never shown');
    } finally {
      await guarded.stop();
    }
  });
