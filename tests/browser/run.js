// run.js -- runs the browser tests in one engine: `node run.js chromium|firefox|webkit [FILE…]`.
// It first starts what a machine without a desktop lacks, as CI starts from nothing (as root):
// a PulseAudio daemon with a null sink (Firefox and WebKit fail every audio element without a
// sound device) and, for WebKit, an X display (Xvfb). Both are stopped when the tests end.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const engine = process.argv[2] || process.env.ENGINE || 'chromium';
const files = process.argv.slice(3);
const started = []; /* the sink, the display and the test runner: stopped together */

// Xvfb picks a free display itself and writes its number to fd 3.
function startXvfb() {
  return new Promise((resolve, reject) => {
    const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1600x1200x24', '-nolisten', 'tcp'],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    started.push(proc);
    let err = '';
    proc.stderr.on('data', (d) => { err = (err + d).slice(-2000); });
    proc.on('error', reject);
    proc.on('exit', (code) => reject(new Error(`Xvfb exited with ${code}: ${err}`)));
    proc.stdio[3].once('data', (d) => resolve(':' + String(d).trim()));
  });
}

// A user-level PulseAudio (root too) in a runtime folder of its own, with only a null sink.
function startPulse(env) {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'lyssna-pulse-'));
  Object.assign(env, { XDG_RUNTIME_DIR: run, PULSE_RUNTIME_PATH: run,
    PULSE_SERVER: `unix:${run}/native` });
  const proc = spawn('pulseaudio', ['--daemonize=no', '--exit-idle-time=-1', '-n',
    '--disallow-exit', '--log-target=stderr', '--load=module-null-sink',
    `--load=module-native-protocol-unix socket=${run}/native auth-anonymous=1`],
  { env, stdio: ['ignore', 'ignore', 'pipe'] });
  started.push(proc);
  let err = '';
  proc.stderr.on('data', (d) => { err = (err + d).slice(-2000); });
  return new Promise((resolve, reject) => {
    proc.on('exit', (code) => reject(new Error(`pulseaudio exited with ${code}: ${err}`)));
    const t0 = Date.now();
    (function poll() {
      if (fs.existsSync(`${run}/native`))
        return resolve(() => fs.rmSync(run, { recursive: true, force: true }));
      if (Date.now() - t0 > 15000)
        return reject(new Error(`pulseaudio did not start: ${err}`));
      setTimeout(poll, 50);
    })();
  });
}

// MiniBrowser's toolbar holds its window at 447 px or wider; shrunk by a GTK style sheet of
// the run's own, the window can be a phone's 320 px.
function narrowGtk(env) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lyssna-gtk-'));
  fs.mkdirSync(path.join(dir, 'gtk-3.0'));
  fs.writeFileSync(path.join(dir, 'gtk-3.0', 'gtk.css'), '* { min-width: 0; min-height: 0; ' +
    'padding: 0; margin: 0; font-size: 1px; border-width: 0; -gtk-icon-transform: scale(0.1); }\n');
  env.XDG_CONFIG_HOME = dir;
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

function stopAll() {
  for (const p of started)
    if (p.exitCode === null && p.signalCode === null)
      p.kill('SIGTERM');
}

async function main() {
  const env = { ...process.env, ENGINE: engine };
  const cleanPulse = await startPulse(env);
  let cleanGtk = () => {};
  if (engine === 'webkit') {
    env.DISPLAY = await startXvfb();
    cleanGtk = narrowGtk(env);
  }
  const tests = files.length ? files : fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js'));
  const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...tests],
    { cwd: __dirname, env, stdio: 'inherit' });
  started.push(child);
  const code = await new Promise((r) => child.on('exit', (c, sig) => r(sig ? 1 : c)));
  for (const p of started)
    p.removeAllListeners('exit');
  stopAll();
  cleanPulse();
  cleanGtk();
  process.exit(code);
}

process.on('SIGINT', () => { stopAll(); process.exit(130); });
process.on('SIGTERM', () => { stopAll(); process.exit(143); });
main().catch((e) => {
  console.error(`browser tests (${engine}): ${e.message}`);
  stopAll();
  process.exit(1);
});
