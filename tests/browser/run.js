// run.js -- runs the browser tests: `node run.js [ENGINE…] [FILE…]` (engines: chromium,
// firefox, webkit; default $ENGINE or chromium; files: every *.test.js). For each engine it
// first starts what a machine without a desktop lacks, as CI starts from nothing (as root): a
// PulseAudio daemon with a null sink (Firefox and WebKit fail every audio element without a
// sound device) and, for WebKit, an X display (Xvfb). Then each file runs in a `node --test`
// of its own, with time limits: TEST_TIMEOUT seconds a test (helpers.js's test()) and
// FILE_TIMEOUT a file (node's --test-timeout, which in Node 20 limits the whole file), and a
// watchdog here a minute later in case node itself hangs, which kills the file with all it
// started. After each file, and when the run is stopped (SIGINT, SIGTERM), a sweep kills
// whatever is left (procs.js). It always ends with a summary per engine (node's own closing
// lines come before it) and exits 0 only when every test passed.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { spawnGroup, endGroup, sweep, startOf } = require('./procs');

const ENGINES = ['chromium', 'firefox', 'webkit'];
const FILE_S = Number(process.env.FILE_TIMEOUT) || 900;
const WATCHDOG_S = FILE_S + 60;
/* a file that failed runs once more: the engines' media stacks (WebKit's GStreamer above all)
   now and then fail a load on a busy machine; the summary names each retry and what failed */
const RETRIES = process.env.RETRIES === undefined ? 1 : Number(process.env.RETRIES);
const SINCE = startOf(process.pid);

const argv = process.argv.slice(2);
const engines = argv.filter((a) => ENGINES.includes(a));
const files = argv.filter((a) => !ENGINES.includes(a));
if (!engines.length)
  engines.push(process.env.ENGINE || 'chromium');

const results = []; /* one summary per engine, printed at the end */
let current = null; /* the engine being run: {engine, run, helpers, child, files, …} */

// Xvfb picks a free display itself and writes its number to fd 3.
function startXvfb(e, env) {
  return new Promise((resolve, reject) => {
    const proc = spawnGroup('Xvfb', ['-displayfd', '3', '-screen', '0', '1600x1200x24', '-nolisten', 'tcp'],
      { env, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    e.helpers.push(proc);
    let err = '';
    proc.stderr.on('data', (d) => { err = (err + d).slice(-2000); });
    proc.on('error', reject);
    proc.on('exit', (code) => reject(new Error(`Xvfb exited with ${code}: ${err}`)));
    proc.stdio[3].once('data', (d) => resolve(':' + String(d).trim()));
  });
}

// A user-level PulseAudio (root too) in a runtime folder of its own, with only a null sink.
function startPulse(e, env) {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'lyssna-pulse-'));
  Object.assign(env, { XDG_RUNTIME_DIR: run, PULSE_RUNTIME_PATH: run,
    PULSE_SERVER: `unix:${run}/native` });
  e.cleanups.push(() => fs.rmSync(run, { recursive: true, force: true }));
  const proc = spawnGroup('pulseaudio', ['--daemonize=no', '--exit-idle-time=-1', '-n',
    '--disallow-exit', '--log-target=stderr', '--load=module-null-sink',
    `--load=module-native-protocol-unix socket=${run}/native auth-anonymous=1`],
  { env, stdio: ['ignore', 'ignore', 'pipe'] });
  e.helpers.push(proc);
  let err = '';
  proc.stderr.on('data', (d) => { err = (err + d).slice(-2000); });
  return new Promise((resolve, reject) => {
    proc.on('error', reject);
    proc.on('exit', (code) => reject(new Error(`pulseaudio exited with ${code}: ${err}`)));
    const t0 = Date.now();
    (function poll() {
      if (fs.existsSync(`${run}/native`))
        return resolve();
      if (Date.now() - t0 > 15000)
        return reject(new Error(`pulseaudio did not start: ${err}`));
      setTimeout(poll, 50);
    })();
  });
}

// MiniBrowser's toolbar holds its window at 447 px or wider; shrunk by a GTK style sheet of
// the run's own, the window can be a phone's 320 px.
function narrowGtk(e, env) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lyssna-gtk-'));
  fs.mkdirSync(path.join(dir, 'gtk-3.0'));
  fs.writeFileSync(path.join(dir, 'gtk-3.0', 'gtk.css'), '* { min-width: 0; min-height: 0; ' +
    'padding: 0; margin: 0; font-size: 1px; border-width: 0; -gtk-icon-transform: scale(0.1); }\n');
  env.XDG_CONFIG_HOME = dir;
  e.cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
}

// Counts from node's TAP output of one file: its own closing lines (# pass …) when it got that
// far, else the top-level results seen before it was killed.
function tally(lines) {
  const n = { pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
  const closing = lines.filter((l) => /^# (pass|fail|cancelled|skipped|todo) \d+$/.test(l));
  if (closing.length) {
    for (const l of closing) {
      const [, key, v] = /^# (\w+) (\d+)$/.exec(l);
      n[key] = Number(v);
    }
    return n;
  }
  for (const l of lines) {
    const m = /^(not )?ok \d+ - .*?(?: # (SKIP|TODO)\b.*)?$/i.exec(l);
    if (m)
      n[m[2] ? (m[2].toUpperCase() === 'SKIP' ? 'skipped' : 'todo') : m[1] ? 'fail' : 'pass']++;
  }
  return n;
}

// One test file in a `node --test` of its own, in a group of its own; its output is passed
// through and counted. Resolves to its counts, with `overran` when the watchdog killed it.
function runFile(e, file, env) {
  const only = process.env.TEST_NAME ? [`--test-name-pattern=${process.env.TEST_NAME}`] : [];
  const child = spawnGroup(process.execPath, ['--test', '--test-reporter=tap',
    `--test-timeout=${FILE_S * 1000}`, '--test-force-exit', '--test-concurrency=1', ...only, file],
  { cwd: __dirname, env, stdio: ['ignore', 'pipe', 'inherit'] });
  e.child = child;
  const lines = [];
  e.running = { file, lines }; /* counted as it stands if the run is stopped */
  readline.createInterface({ input: child.stdout }).on('line', (l) => {
    lines.push(l);
    process.stdout.write(l + '\n');
  });
  return new Promise((resolve) => {
    let overran = false;
    const watchdog = setTimeout(() => {
      overran = true;
      console.log(`# run.js: ${file} still runs after ${WATCHDOG_S} s: killing it and all it started`);
      endGroup(child, 5000);
    }, WATCHDOG_S * 1000);
    let ended = false;
    const end = (code, sig) => {
      if (ended)
        return;
      ended = true;
      clearTimeout(watchdog);
      e.child = null;
      e.running = null;
      const n = tally(lines);
      if (overran)
        n.fail++; /* the test it was stuck in */
      resolve({ file, ...n, overran, code: sig ? 128 : code });
    };
    child.on('close', end);
    /* its output has a moment to drain; a pipe some leftover still holds is not waited for */
    child.on('exit', (code, sig) => setTimeout(() => end(code, sig), 2000));
  });
}

// After a file: what it left running is killed and named (a teardown that failed).
async function sweepAfter(e, file) {
  const left = await sweep(e.run, SINCE, e.helpers.map((p) => p.pid));
  if (left.length)
    console.log(`# run.js: ${file} left ${left.length} processes behind, killed: ${left.join(', ')}`);
  e.leftovers += left.length;
}

// Ends the engine's run: its test file if one runs, the sound server and display, and the
// sweep that leaves nothing of the run behind.
async function stopEngine(e) {
  if (e.child)
    await endGroup(e.child, 5000);
  for (const p of e.helpers) {
    p.removeAllListeners('exit');
    await endGroup(p);
  }
  await sweep(e.run, SINCE);
  for (const c of e.cleanups)
    c();
}

// Its summary line; the run's folder (MiniBrowser's output) is kept when something failed, or
// always with KEEP_LOGS=1.
function finish(e, note = '') {
  const sum = { pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
  for (const f of e.files)
    for (const k of Object.keys(sum))
      sum[k] += f[k];
  e.failed = !!(e.error || note || sum.fail || sum.cancelled || !e.files.length ||
    e.files.some((f) => f.overran || f.code !== 0));
  const keep = e.failed || e.leftovers > 0 || e.files.some((f) => f.failed.length) ||
    process.env.KEEP_LOGS === '1';
  if (!keep)
    fs.rmSync(e.run, { recursive: true, force: true });
  const per = e.files.map((f) => `${f.file} ${f.pass}/${f.pass + f.fail + f.cancelled}` +
    (f.overran ? ' (killed: overran)' : '') +
    (f.failed.length ? ` (run again after ${f.failed.join(', then ')})` : ''));
  results.push(`${e.engine.padEnd(8)} ${e.failed ? 'FAIL' : 'ok  '}  pass ${sum.pass}, ` +
    `fail ${sum.fail}, cancelled ${sum.cancelled}, skipped ${sum.skipped}; ` +
    `${((Date.now() - e.t0) / 1000).toFixed(0)} s` + (per.length ? `; ${per.join(', ')}` : '') +
    (e.error ? `; not started: ${e.error}` : '') +
    (e.leftovers ? `; ${e.leftovers} processes left behind, killed` : '') + note +
    (keep ? `; logs in ${e.run}` : ''));
}

async function runEngine(engine) {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'lyssna-run-'));
  const e = { engine, run, helpers: [], cleanups: [], child: null, files: [], leftovers: 0,
    t0: Date.now() };
  current = e;
  const env = { ...process.env, ENGINE: engine, LYSSNA_TEST_RUN: run };
  console.log(`== browser tests in ${engine}`);
  try {
    await startPulse(e, env);
    if (engine === 'webkit') {
      env.DISPLAY = await startXvfb(e, env);
      narrowGtk(e, env);
      /* GStreamer's errors and warnings, in the logs */
      Object.assign(env, { GST_DEBUG: env.GST_DEBUG || '2', GST_DEBUG_NO_COLOR: '1' });
    }
    const list = files.length ? files : fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort();
    for (const file of list) {
      const failed = [];
      let result;
      for (;;) {
        result = await runFile(e, file, env);
        if (stopping)
          return e;
        await sweepAfter(e, file);
        if (!(result.fail || result.cancelled || result.code) || result.overran ||
            failed.length >= RETRIES)
          break;
        failed.push(`${result.pass}/${result.pass + result.fail + result.cancelled}`);
        console.log(`# run.js: ${file} failed in ${engine}: running it once more`);
      }
      e.files.push({ ...result, failed });
    }
  } catch (err) {
    console.log(`# run.js: browser tests in ${engine} could not start: ${err.message}`);
    e.error = err.message;
  }
  if (stopping)
    return e;
  await stopEngine(e);
  current = null;
  finish(e);
  return e;
}

function summary() {
  console.log('== browser tests: summary');
  for (const r of results)
    console.log(r);
}

let stopping = false;
async function stop(sig, code) {
  if (stopping)
    return;
  stopping = true;
  console.log(`# run.js: ${sig}: stopping the tests and everything they started`);
  if (current) {
    const e = current, part = e.running;
    await stopEngine(e);
    if (part)
      e.files.push({ file: part.file, ...tally(part.lines), overran: false, code: 128, failed: [] });
    finish(e, `; stopped by ${sig}`);
  }
  summary();
  process.exit(code);
}

async function main() {
  let failed = false;
  for (const engine of engines) {
    const e = await runEngine(engine);
    if (stopping)
      return;
    failed = failed || e.failed;
  }
  summary();
  process.exit(failed ? 1 : 0);
}

process.on('SIGINT', () => stop('SIGINT', 130));
process.on('SIGTERM', () => stop('SIGTERM', 143));
main();
