// service.js -- a `lyssna serve` of a test's own on a loopback port with a temporary cache: the
// one start-up of the service for every JS test (the browser tests here and tests/clients,
// which requires this file). It runs in a process group of its own (procs.js), so that its
// workers end with it. Node built-ins only: no package needed.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { spawnGroup, endGroup } = require('./procs');

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.resolve(process.env.LYSSNA_BIN || path.join(ROOT, 'lyssna'));
const START_MS = 30000;

function tempDir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lyssna-${name}-`));
}

// Starts `lyssna serve --listen 127.0.0.1:0`, which may read pages from itself; resolves to
// {url, stderr(), stop()} once it prints `listening on http://127.0.0.1:PORT`. webDir
// replaces web/; args are more settings (--cors-origin …). stop() may be called twice.
function startService({ webDir, args: extra = [] } = {}) {
  const cache = tempDir('cache');
  const args = ['serve', '--listen', '127.0.0.1:0', '--cache-dir', cache,
    '--allow-host', '127.0.0.1', '--allow-addr', '127.0.0.1/32',
    '--web', webDir || path.join(ROOT, 'web'), ...extra];
  const proc = spawnGroup(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  /* its log (a line per request) goes to the run's folder too, kept when a test failed */
  const log = process.env.LYSSNA_TEST_RUN && fs.createWriteStream(
    path.join(process.env.LYSSNA_TEST_RUN, `service-${proc.pid}.log`));
  let stderr = '';
  proc.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
    if (log)
      log.write(d);
  });
  let stopping;
  const stop = () => {
    stopping = stopping || endGroup(proc, 5000).then(() => {
      if (log)
        log.end();
      fs.rmSync(cache, { recursive: true, force: true });
    });
    return stopping;
  };
  return new Promise((resolve, reject) => {
    const fail = (why) => stop().then(() => reject(new Error(`${why}: ${stderr}`)));
    const timer = setTimeout(() => fail(`service did not start in ${START_MS} ms`), START_MS);
    proc.on('error', (e) => { clearTimeout(timer); fail(`cannot run ${BIN} (${e.message})`); });
    proc.on('exit', (code) => { clearTimeout(timer); fail(`service exited with ${code}`); });
    readline.createInterface({ input: proc.stdout }).once('line', (line) => {
      clearTimeout(timer);
      proc.removeAllListeners('exit');
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (!m)
        return fail(`unexpected first line '${line}'`);
      resolve({ url: m[1], stderr: () => stderr, stop });
    });
  });
}

module.exports = { ROOT, startService, tempDir };
