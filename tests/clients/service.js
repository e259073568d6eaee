// service.js -- a `lyssna serve` of a test's own on a loopback port with a temporary cache
// (the same start-up as tests/browser/helpers.js, without a browser).
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const BIN = path.resolve(__dirname, process.env.LYSSNA_BIN || '../../lyssna');

function tempDir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lyssna-${name}-`));
}

// Resolves to {url, stop()} once the service prints `listening on http://127.0.0.1:PORT`.
// The text cap is 4,000 bytes, so that the tests can pass it cheaply; args are more flags.
function startService({ args: extra = [] } = {}) {
  const cache = tempDir('cache');
  const args = ['serve', '--listen', '127.0.0.1:0', '--cache-dir', cache, '--allow-host',
    '127.0.0.1', '--allow-addr', '127.0.0.1/32', '--max-text-bytes', '4000', ...extra];
  const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const remove = () => fs.rmSync(cache, { recursive: true, force: true });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: proc.stdout });
    const timer = setTimeout(() => reject(new Error(`service did not start: ${stderr}`)), 30000);
    proc.on('exit', (code) => reject(new Error(`service exited with ${code}: ${stderr}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (!m)
        return reject(new Error(`unexpected first line: ${line}`));
      resolve({
        url: m[1],
        stop: () => new Promise((done) => {
          if (proc.exitCode !== null)
            return done(remove());
          proc.removeAllListeners('exit');
          proc.once('exit', () => done(remove()));
          proc.kill('SIGTERM');
        }),
      });
    });
  });
}

module.exports = { startService, tempDir };
