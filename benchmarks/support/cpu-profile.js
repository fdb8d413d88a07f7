// Preloaded into the service by `npm run bench:api -- --profile` (NODE_OPTIONS=--require ..., since --cpu-prof is
// not allowed there): profiles the whole process and writes <IOP_CPU_PROFILE_DIR>/serve-<pid>.cpuprofile at SIGTERM or exit.
'use strict';
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.IOP_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // An in-process session answers synchronously: the file is there before the shutdown goes on.
    session.post('Profiler.stop', (error, result) => {
      if (!error)
        writeFileSync(join(dir, `${process.argv.includes('migrate') ? 'migrate' : 'serve'}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  // At SIGTERM, before the service's own shutdown (which may outlast the launcher's grace period).
  process.prependOnceListener('SIGTERM', write);
  process.once('exit', write);
}
