// Preloaded into every reference server (node --require): whatever host and port a server asks
// for, it listens on 127.0.0.1 on a free port, and reports that port in $LOOPBACK_PORT_FILE.
'use strict';
const fs = require('node:fs');
const net = require('node:net');

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const callbacks = args.filter((a) => typeof a === 'function');
  this.once('listening', () => {
    const file = process.env.LOOPBACK_PORT_FILE;
    if (file) {
      fs.writeFileSync(file + '.tmp', String(this.address().port));
      fs.renameSync(file + '.tmp', file);
    }
  });
  return listen.call(this, { host: '127.0.0.1', port: 0 }, ...callbacks);
};
